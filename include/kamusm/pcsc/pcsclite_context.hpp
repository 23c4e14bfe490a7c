// pcsc::Context over the operating system's PC/SC service: pcsc-lite (pcscd) on Linux, written
// against the plain PC/SC C API (SCard*) so that it also builds on WinSCard and PCSC.framework.
// Native only: the browser reaches PC/SC through navigator.smartCard or the desktop helper.
#pragma once

#include "kamusm/pcsc/context.hpp"

#include <cstdint>
#include <memory>

namespace kamusm::pcsc {

class PcscLiteContext : public Context {
public:
    // SCardEstablishContext (system scope); throws Error{NoService} when no PC/SC service
    // answers.
    static std::unique_ptr<PcscLiteContext> establish();
    ~PcscLiteContext() override; // SCardReleaseContext
    PcscLiteContext(const PcscLiteContext&) = delete;
    PcscLiteContext& operator=(const PcscLiteContext&) = delete;

    Task<std::vector<std::string>> listReaders() override;
    Task<std::vector<ReaderStateOut>> getStatusChange(std::vector<ReaderStateIn> readerStates,
                                                      std::optional<Milliseconds> timeout) override;
    Task<ConnectResult> connect(const std::string& readerName, AccessMode accessMode,
                                std::vector<Protocol> preferredProtocols) override;

    // Ends a getStatusChange that waits in another thread (SCardCancel, the one PC/SC call
    // meant to be made from another thread); it throws the task's cancellation reason, or
    // Error{SystemCancelled}.
    void cancelWaits() noexcept;

private:
    explicit PcscLiteContext(std::uintptr_t context) : context_(context) {}
    std::uintptr_t context_; // SCARDCONTEXT, kept opaque so that no PC/SC header leaks out
};

// CM_IOCTL_GET_FEATURE_REQUEST (PC/SC part 10: which PIN-pad and other features the reader has)
// as this platform numbers control codes.
std::uint32_t featureRequestControlCode();

} // namespace kamusm::pcsc
