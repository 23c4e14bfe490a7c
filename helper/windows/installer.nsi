; The KamuSM card helper for Windows: the native messaging host in Program Files, its manifest,
; and the registry keys by which Google Chrome, Chromium and Microsoft Edge find it (their
; NativeMessagingHosts keys) and offer the KamuSM extension from the Chrome Web Store (their
; Extensions keys). Built on Debian by tests/build-helper.sh --windows:
;   makensis -DVERSION=0.1.0 -DEXTENSION_ID=<id> -DHOST=/path/kamusm-pcsc-host.exe
;            -DOUTFILE=/path/setup.exe installer.nsi
; (the extension id: helper/host-manifest.sh --id)
Unicode true
Target amd64-unicode
!include "WordFunc.nsh"

!define NAME "tr.gov.kamusm.pcsc_helper"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\KamuSMCardHelper"
!define STORE_UPDATE_URL "https://clients2.google.com/service/update2/crx"

Name "KamuSM kart yardımcısı ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\KamuSM\Kart Yardimcisi"
RequestExecutionLevel admin
SetCompressor /SOLID lzma
ShowInstDetails show

Page directory
Page instfiles
UninstPage uninstConfirm
UninstPage instfiles

; The browsers read the host manifest at the path each NativeMessagingHosts key names.
!macro RegisterHost ROOT
  WriteRegStr HKLM "${ROOT}\NativeMessagingHosts\${NAME}" "" "$INSTDIR\${NAME}.json"
!macroend
!macro RegisterExtension ROOT
  WriteRegStr HKLM "${ROOT}\Extensions\${EXTENSION_ID}" "update_url" "${STORE_UPDATE_URL}"
!macroend

Section "install"
  SetRegView 64
  SetOutPath "$INSTDIR"
  File "/oname=kamusm-pcsc-host.exe" "${HOST}"
  ; The manifest's path is this folder's; JSON wants its backslashes doubled.
  StrCpy $0 "$INSTDIR\kamusm-pcsc-host.exe"
  ${WordReplace} "$0" "\" "\\" "+" $0
  FileOpen $1 "$INSTDIR\${NAME}.json" w
  FileWrite $1 '{$\r$\n  "name": "${NAME}",$\r$\n  "description": "KamuSM e-imza kart yardimcisi (PC/SC)",$\r$\n'
  FileWrite $1 '  "path": "$0",$\r$\n  "type": "stdio",$\r$\n'
  FileWrite $1 '  "allowed_origins": ["chrome-extension://${EXTENSION_ID}/"]$\r$\n}$\r$\n'
  FileClose $1
  !insertmacro RegisterHost "Software\Google\Chrome"
  !insertmacro RegisterHost "Software\Chromium"
  !insertmacro RegisterHost "Software\Microsoft\Edge"
  ; Chrome reads its external extensions from the 32-bit view (Wow6432Node).
  SetRegView 32
  !insertmacro RegisterExtension "Software\Google\Chrome"
  !insertmacro RegisterExtension "Software\Microsoft\Edge"
  SetRegView 64
  WriteUninstaller "$INSTDIR\uninstall.exe"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayName" "KamuSM kart yardımcısı"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "Publisher" "KamuSM"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoModify" 1
SectionEnd

Section "uninstall"
  SetRegView 64
  DeleteRegKey HKLM "Software\Google\Chrome\NativeMessagingHosts\${NAME}"
  DeleteRegKey HKLM "Software\Chromium\NativeMessagingHosts\${NAME}"
  DeleteRegKey HKLM "Software\Microsoft\Edge\NativeMessagingHosts\${NAME}"
  DeleteRegKey HKLM "${UNINSTALL_KEY}"
  SetRegView 32
  DeleteRegKey HKLM "Software\Google\Chrome\Extensions\${EXTENSION_ID}"
  DeleteRegKey HKLM "Software\Microsoft\Edge\Extensions\${EXTENSION_ID}"
  Delete "$INSTDIR\kamusm-pcsc-host.exe"
  Delete "$INSTDIR\${NAME}.json"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  RMDir "$PROGRAMFILES64\KamuSM"
SectionEnd
