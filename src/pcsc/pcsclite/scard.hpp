// The PC/SC C API of whichever stack the build has (pcsc-lite, WinSCard, PCSC.framework) and the
// translations between its values and pcsc::Context's types. Only src/pcsc/pcsclite/ sees it.
#pragma once

#include "kamusm/pcsc/context.hpp"

#ifdef __APPLE__
#include <PCSC/winscard.h>
#include <PCSC/wintypes.h>
#else
#include <winscard.h>
#endif

#include <cstdint>
#include <string_view>

namespace kamusm::pcsc::scard {

#ifdef _WIN32
// Reader names are narrow strings here: the ANSI entry points, whatever UNICODE says.
using ReaderState = SCARD_READERSTATEA;
#define KAMUSM_SCARD(name) name##A
#else
using ReaderState = SCARD_READERSTATE;
#define KAMUSM_SCARD(name) name
#endif

// Throws pcsc::Error carrying `result` when it is not SCARD_S_SUCCESS; `call` names the SCard
// function for the message.
void check(LONG result, std::string_view call);
[[noreturn]] void fail(LONG result, std::string_view call);

// Reader state words (SCARD_STATE_* in the low 16 bits, the event counter in the high 16).
DWORD encodeState(const ReaderStateFlags& flags, std::optional<std::uint32_t> count);
ReaderStateFlags decodeState(DWORD state);
std::optional<std::uint32_t> decodeCount(DWORD state);

DWORD shareMode(AccessMode mode);
DWORD protocolMask(const std::vector<Protocol>& protocols);
std::optional<Protocol> activeProtocol(DWORD mask);
DWORD disposition(Disposition disposition);
ConnectionStatus::State cardState(DWORD state);

} // namespace kamusm::pcsc::scard
