# The browser app (Emscripten only): mbedTLS and Dear ImGui built from the pinned Debian sources
# that tests/fetch-sources.sh unpacks, the layers above the core, and kamusm_app.js + .wasm.
set(KAMUSM_THIRD_PARTY ${PROJECT_SOURCE_DIR}/build/third_party
    CACHE PATH "Where tests/fetch-sources.sh unpacked imgui and mbedtls")
set(mbedtls_dir ${KAMUSM_THIRD_PARTY}/mbedtls)
set(imgui_dir ${KAMUSM_THIRD_PARTY}/imgui)
foreach(dir ${mbedtls_dir}/library ${imgui_dir}/backends)
  if(NOT EXISTS ${dir})
    message(FATAL_ERROR "${dir} is missing: run tests/fetch-sources.sh first")
  endif()
endforeach()
enable_language(C)

# mbedTLS: the same library split (crypto, x509) as Debian's packages, so the wasm build links the
# same targets as the native one, configured to what the app uses
# (cmake/mbedtls/kamusm_mbedtls_config.h). TLS itself is the browser's job.
file(GLOB mbedtls_sources ${mbedtls_dir}/library/*.c)
set(mbedtls_x509_regex "/(certs|pkcs11|x509[a-z_]*)\\.c$")
set(mbedtls_tls_regex "/(debug|net_sockets|ssl_[a-z0-9_]*)\\.c$")
set(mbedx509_sources ${mbedtls_sources})
list(FILTER mbedx509_sources INCLUDE REGEX "${mbedtls_x509_regex}")
set(mbedcrypto_sources ${mbedtls_sources})
list(FILTER mbedcrypto_sources EXCLUDE REGEX "${mbedtls_x509_regex}|${mbedtls_tls_regex}")
add_library(mbedcrypto STATIC ${mbedcrypto_sources})
add_library(mbedx509 STATIC ${mbedx509_sources})
target_link_libraries(mbedx509 PUBLIC mbedcrypto)
foreach(lib mbedcrypto mbedx509)
  # Third-party code: their warnings are not ours to fix.
  target_compile_options(${lib} PRIVATE -w)
  target_include_directories(${lib} SYSTEM PUBLIC ${mbedtls_dir}/include
                             ${PROJECT_SOURCE_DIR}/cmake/mbedtls)
  target_include_directories(${lib} PRIVATE ${mbedtls_dir}/library)
  target_compile_options(${lib} PRIVATE $<$<BOOL:${KAMUSM_WASM_LTO}>:-flto>)
  # Public: the structures' layout depends on the configuration.
  target_compile_definitions(${lib} PUBLIC "MBEDTLS_CONFIG_FILE=<kamusm_mbedtls_config.h>")
endforeach()
target_link_libraries(kamusm_base PUBLIC mbedcrypto)
target_link_libraries(kamusm_card PUBLIC mbedx509 mbedcrypto)

kamusm_layer(sim kamusm_ccid kamusm_card kamusm_backend mbedcrypto)
kamusm_layer(backend kamusm_base)
kamusm_layer(wizard kamusm_card kamusm_reader kamusm_backend)

# Dear ImGui 1.86 falls back to its built-in font (ProggyClean, 10 KB as brotli) when no font was
# added, so every program links it. The app always adds its own, so its imgui_draw.cpp is the
# pinned one without that fallback; a program that wants the built-in font asks for it
# (AddFontDefault), as bench/imgui-floor does.
set(imgui_fallback "    if (ConfigData.Size == 0)\n        AddFontDefault();\n")
file(READ ${imgui_dir}/imgui_draw.cpp imgui_draw)
string(FIND "${imgui_draw}" "${imgui_fallback}" fallback_at)
if(fallback_at EQUAL -1)
  message(FATAL_ERROR "${imgui_dir}/imgui_draw.cpp: the default-font fallback was not found")
endif()
string(REPLACE "${imgui_fallback}" "" imgui_draw "${imgui_draw}")
# Written through a copy so that the file, and what is built from it, changes only with the source.
file(WRITE ${PROJECT_BINARY_DIR}/imgui_draw.cpp.new "${imgui_draw}")
configure_file(${PROJECT_BINARY_DIR}/imgui_draw.cpp.new ${PROJECT_BINARY_DIR}/imgui_draw.cpp COPYONLY)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${imgui_dir}/imgui_draw.cpp)

# Dear ImGui core with the WebGL2 back end; the platform side is the app's own
# (src/platform/web/canvas.cpp, on Emscripten's HTML5 API).
add_library(imgui STATIC
  ${imgui_dir}/imgui.cpp ${PROJECT_BINARY_DIR}/imgui_draw.cpp ${imgui_dir}/imgui_tables.cpp
  ${imgui_dir}/imgui_widgets.cpp ${imgui_dir}/backends/imgui_impl_opengl3.cpp)
target_include_directories(imgui SYSTEM PUBLIC ${imgui_dir} ${imgui_dir}/backends)
# Without what the screens do not use: the demo and metrics windows, and file functions (no
# .ini file: nothing of the session is stored).
target_compile_definitions(imgui PUBLIC IMGUI_DISABLE_OBSOLETE_FUNCTIONS IMGUI_DISABLE_DEMO_WINDOWS
                           IMGUI_DISABLE_METRICS_WINDOW IMGUI_DISABLE_FILE_FUNCTIONS)
target_compile_options(imgui PRIVATE -w $<$<BOOL:${KAMUSM_WASM_LTO}>:-flto>)

# The UI font: DejaVu Sans (fonts-dejavu-core) cut down to ASCII, Latin-1 and Latin Extended-A
# (ç ğ ı İ ö ş ü and the rest of Turkish), compiled into the wasm data so there is no extra fetch.
find_program(PYFTSUBSET pyftsubset REQUIRED) # apt-get install fonttools
find_file(KAMUSM_FONT DejaVuSans.ttf PATHS /usr/share/fonts/truetype/dejavu
          NO_CMAKE_FIND_ROOT_PATH REQUIRED) # apt-get install fonts-dejavu-core
set(font_subset ${PROJECT_BINARY_DIR}/ui-font.ttf)
set(font_source ${PROJECT_BINARY_DIR}/ui_font_data.cpp)
add_custom_command(OUTPUT ${font_subset}
  COMMAND ${PYFTSUBSET} ${KAMUSM_FONT} --unicodes=U+0020-007E,U+00A0-017F,U+2013-2014,U+2018-201D,U+2022,U+2026,U+20BA
          --layout-features= --no-hinting --desubroutinize --name-IDs=0,1,2 --output-file=${font_subset}
  DEPENDS ${KAMUSM_FONT} VERBATIM)
add_custom_command(OUTPUT ${font_source}
  COMMAND ${CMAKE_COMMAND} -DINPUT=${font_subset} -DOUTPUT=${font_source}
          -P ${PROJECT_SOURCE_DIR}/cmake/EmbedFont.cmake
  DEPENDS ${font_subset} ${PROJECT_SOURCE_DIR}/cmake/EmbedFont.cmake VERBATIM)

file(GLOB ui_sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/ui/*.cpp)
add_library(kamusm_ui STATIC ${ui_sources} ${font_source})
target_include_directories(kamusm_ui PUBLIC ${PROJECT_SOURCE_DIR}/include)
target_link_libraries(kamusm_ui PUBLIC imgui kamusm_wizard)

# The browser bridges (WebUSB, Web Smart Card, fetch, the demo module's loader), shared by the
# app and their node check.
set(bridge_names promise webusb smartcard fetch demo_module)
list(TRANSFORM bridge_names PREPEND ${PROJECT_SOURCE_DIR}/src/platform/web/ OUTPUT_VARIABLE bridge_sources)
list(TRANSFORM bridge_sources APPEND .cpp)
add_library(kamusm_web_bridges OBJECT ${bridge_sources})
target_link_libraries(kamusm_web_bridges PUBLIC kamusm_pcsc kamusm_backend)

# The demo reader (the simulator behind a fake USBDevice) on its own: the app carries none of it.
set(demo_reader_source ${PROJECT_SOURCE_DIR}/src/platform/web/demo_reader.cpp)
set(demo_reader_js ${PROJECT_SOURCE_DIR}/src/platform/web/demo_reader.js)

file(GLOB web_sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/platform/web/*.cpp)
list(JOIN bridge_names "|" bridge_regex)
list(FILTER web_sources EXCLUDE REGEX "/(core_check|bridge_check|demo_reader|${bridge_regex})\\.cpp$")
add_executable(kamusm_app ${web_sources})
target_link_libraries(kamusm_app PRIVATE kamusm_web_bridges kamusm_ui)
# The JavaScript halves of the bridges (WebUSB, Web Smart Card, fetch, the demo module's loader,
# the desktop helper); the demo reader's (its fake USBDevice and virtual card) goes
# into the demo module.
file(GLOB web_js_libraries CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/platform/web/*.js)
list(REMOVE_ITEM web_js_libraries ${demo_reader_js})
function(kamusm_link_js_libraries target)
  foreach(library ${ARGN})
    target_link_options(${target} PRIVATE "SHELL:--js-library ${library}")
    set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${library})
  endforeach()
endfunction()
kamusm_link_js_libraries(kamusm_app ${web_js_libraries})
# What the browser modules share, for size: no file system (the app reads no files: the font is
# compiled in, ImGui stores no .ini), the smaller allocator, no setjmp, the browser's
# TextDecoder without a fallback, and wasm-opt's passes run until they stop shrinking the code
# (1.7 KB less as brotli for some seconds more of linking).
set(web_link_options -sENVIRONMENT=web -sFILESYSTEM=0 -sALLOW_MEMORY_GROWTH=1 -sMALLOC=emmalloc
    -sSUPPORT_LONGJMP=0 -sTEXTDECODER=2 -sBINARYEN_EXTRA_PASSES=--converge)
set(webgl_link_options -sMIN_WEBGL_VERSION=2 -sMAX_WEBGL_VERSION=2 -sGL_TRACK_ERRORS=0)
# The Module fields web/app.js sets for Emscripten (its own kamusm* fields are read directly).
# One function, window.kamusmApp(Module), is all the loader adds to the page's scope.
target_link_options(kamusm_app PRIVATE ${web_link_options} ${webgl_link_options}
  -sMODULARIZE=1 -sEXPORT_NAME=kamusmApp
  -sINCOMING_MODULE_JS_API=instantiateWasm,locateFile,onRuntimeInitialized,postRun,printErr
  -sEXPORTED_FUNCTIONS=_main,_malloc,_free
  -sEXPORTED_RUNTIME_METHODS=UTF8ToString,stringToUTF8,lengthBytesUTF8)

# kamusm_demo.js + .wasm: the demo module web/app.js loads when the backend is in demo mode, as
# window.kamusmDemoModule(Module) → Promise of a module with Module.kamusmDemo (demo_reader.js).
add_executable(kamusm_demo ${demo_reader_source} ${PROJECT_SOURCE_DIR}/src/platform/web/promise.cpp
                           ${PROJECT_SOURCE_DIR}/src/platform/web/fetch.cpp)
target_link_libraries(kamusm_demo PRIVATE kamusm_sim kamusm_backend)
kamusm_link_js_libraries(kamusm_demo ${PROJECT_SOURCE_DIR}/src/platform/web/promise.js
                         ${PROJECT_SOURCE_DIR}/src/platform/web/fetch.js ${demo_reader_js})
target_link_options(kamusm_demo PRIVATE ${web_link_options}
  -sMODULARIZE=1 -sEXPORT_NAME=kamusmDemoModule -sINCOMING_MODULE_JS_API=instantiateWasm,printErr
  -sEXPORTED_FUNCTIONS=_malloc,_free
  -sEXPORTED_RUNTIME_METHODS=UTF8ToString,stringToUTF8,lengthBytesUTF8)

# The bridges' check under node (tests/build-wasm.sh), against the fake navigator.usb and fetch
# that tests/wasm/bridge_check_pre.js installs before the module runs, and the browser tests'
# fake navigator.smartCard (the same file, so the check also holds the fake to the bridge).
set(bridge_check_pre ${PROJECT_SOURCE_DIR}/tests/wasm/bridge_check_pre.js
    ${PROJECT_SOURCE_DIR}/tests/browser/fake-smartcard.js)
add_executable(kamusm_bridge_check ${PROJECT_SOURCE_DIR}/src/platform/web/bridge_check.cpp
                                   ${demo_reader_source})
target_link_libraries(kamusm_bridge_check PRIVATE kamusm_web_bridges kamusm_sim nlohmann_json)
kamusm_link_js_libraries(kamusm_bridge_check ${web_js_libraries} ${demo_reader_js})
foreach(pre ${bridge_check_pre})
  target_link_options(kamusm_bridge_check PRIVATE "SHELL:--pre-js ${pre}")
endforeach()
target_link_options(kamusm_bridge_check PRIVATE
  -sENVIRONMENT=node -sEXIT_RUNTIME=1 -sALLOW_MEMORY_GROWTH=1)
set_property(TARGET kamusm_bridge_check APPEND PROPERTY LINK_DEPENDS ${bridge_check_pre})

# The start-up floor (bench/imgui-floor): a bare Dear ImGui app with the app's back ends and flags.
add_executable(kamusm_floor ${PROJECT_SOURCE_DIR}/bench/imgui-floor/main.cpp
                            ${PROJECT_SOURCE_DIR}/src/platform/web/canvas.cpp)
target_include_directories(kamusm_floor PRIVATE ${PROJECT_SOURCE_DIR}/include)
target_link_libraries(kamusm_floor PRIVATE imgui)
target_link_options(kamusm_floor PRIVATE ${web_link_options} ${webgl_link_options}
  -sINCOMING_MODULE_JS_API=instantiateWasm,onRuntimeInitialized)

# The loaders the pages get, minified as they are linked (cmake/minify-js.cjs, terser from
# node-terser): what Emscripten does with Closure, which Debian does not package.
find_program(NODE node REQUIRED)
foreach(target kamusm_app kamusm_demo kamusm_floor)
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND ${CMAKE_COMMAND} -E env NODE_PATH=/usr/share/nodejs
            ${NODE} ${PROJECT_SOURCE_DIR}/cmake/minify-js.cjs $<TARGET_FILE:${target}>
    VERBATIM)
endforeach()
