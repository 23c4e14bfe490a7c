#include "kamusm/pcsc/pcsclite_context.hpp"

#include "connection.hpp"
#include "kamusm/base/cancel.hpp"

namespace kamusm::pcsc {

namespace {

SCARDCONTEXT handleOf(std::uintptr_t context) {
    return static_cast<SCARDCONTEXT>(context);
}

// The cancellation of the task awaiting this, without suspending it.
struct CurrentCancellation {
    Cancellation* cancellation = nullptr;
    bool await_ready() const noexcept { return false; }
    template <typename P> bool await_suspend(coro::coroutine_handle<P> waiting) noexcept {
        cancellation = cancellationOf(waiting);
        return false;
    }
    Cancellation* await_resume() const noexcept { return cancellation; }
};

// SCardListReaders' multi-string: names each ended by NUL, the list by one more.
std::vector<std::string> splitMultiString(const std::string& text) {
    std::vector<std::string> names;
    for (std::size_t at = 0; at < text.size() && text[at] != '\0';) {
        const std::size_t end = text.find('\0', at);
        names.push_back(text.substr(at, end - at));
        at = end == std::string::npos ? text.size() : end + 1;
    }
    return names;
}

scard::ReaderState toScard(const ReaderStateIn& in) {
    scard::ReaderState state{};
    state.szReader = in.readerName.c_str();
    state.dwCurrentState = scard::encodeState(in.currentState, in.currentCount);
    return state;
}

ReaderStateOut fromScard(const scard::ReaderState& state) {
    ReaderStateOut out;
    out.readerName = state.szReader;
    out.eventState = scard::decodeState(state.dwEventState);
    out.eventCount = scard::decodeCount(state.dwEventState);
    if (out.eventState.present && state.cbAtr <= sizeof(state.rgbAtr))
        out.answerToReset.assign(state.rgbAtr, state.rgbAtr + state.cbAtr);
    return out;
}

DWORD timeoutOf(std::optional<Milliseconds> timeout) {
    if (!timeout) return INFINITE;
    const auto ms = timeout->count();
    return ms <= 0                                  ? 0
           : ms >= static_cast<long long>(INFINITE) ? INFINITE - 1
                                                    : static_cast<DWORD>(ms);
}

} // namespace

std::uint32_t featureRequestControlCode() {
    constexpr DWORD getFeatureRequest = 3400;
#ifdef _WIN32
    return SCARD_CTL_CODE(getFeatureRequest); // winsmcrd.h: a Windows device I/O control code
#else
    return 0x42000000 + getFeatureRequest; // pcsc-lite's and PCSC.framework's SCARD_CTL_CODE
#endif
}

std::unique_ptr<PcscLiteContext> PcscLiteContext::establish() {
    SCARDCONTEXT context = 0;
    scard::check(SCardEstablishContext(SCARD_SCOPE_SYSTEM, nullptr, nullptr, &context),
                 "SCardEstablishContext");
    return std::unique_ptr<PcscLiteContext>(
        new PcscLiteContext(static_cast<std::uintptr_t>(context)));
}

PcscLiteContext::~PcscLiteContext() {
    SCardReleaseContext(handleOf(context_));
}

void PcscLiteContext::cancelWaits() noexcept {
    SCardCancel(handleOf(context_));
}

Task<std::vector<std::string>> PcscLiteContext::listReaders() {
    // A reader may come between the call that sizes the list and the one that fills it.
    for (int attempt = 0; attempt < 3; ++attempt) {
        DWORD size = 0;
        LONG result = KAMUSM_SCARD(SCardListReaders)(handleOf(context_), nullptr, nullptr, &size);
        if (result == SCARD_E_NO_READERS_AVAILABLE) co_return std::vector<std::string>{};
        scard::check(result, "SCardListReaders");
        std::string text(size, '\0');
        result = KAMUSM_SCARD(SCardListReaders)(handleOf(context_), nullptr, text.data(), &size);
        if (result == SCARD_E_INSUFFICIENT_BUFFER) continue;
        if (result == SCARD_E_NO_READERS_AVAILABLE) co_return std::vector<std::string>{};
        scard::check(result, "SCardListReaders");
        text.resize(size);
        co_return splitMultiString(text);
    }
    throw Error(ErrorCode::UnknownError, "SCardListReaders: the reader list kept changing");
}

Task<std::vector<ReaderStateOut>>
PcscLiteContext::getStatusChange(std::vector<ReaderStateIn> readerStates,
                                 std::optional<Milliseconds> timeout) {
    Cancellation* cancellation = co_await CurrentCancellation{};
    if (cancellation && cancellation->requested()) cancellation->rethrow();
    std::vector<scard::ReaderState> states;
    states.reserve(readerStates.size());
    for (const ReaderStateIn& in : readerStates)
        states.push_back(toScard(in));
    const LONG result = KAMUSM_SCARD(SCardGetStatusChange)(
        handleOf(context_), timeoutOf(timeout), states.data(), static_cast<DWORD>(states.size()));
    if (result == SCARD_E_CANCELLED && cancellation && cancellation->requested())
        cancellation->rethrow();
    scard::check(result, "SCardGetStatusChange"); // SCARD_E_TIMEOUT: Error{Timeout}
    std::vector<ReaderStateOut> out;
    out.reserve(states.size());
    for (const scard::ReaderState& state : states)
        out.push_back(fromScard(state));
    co_return out;
}

Task<ConnectResult> PcscLiteContext::connect(const std::string& readerName, AccessMode accessMode,
                                             std::vector<Protocol> preferredProtocols) {
    SCARDHANDLE card = 0;
    DWORD active = SCARD_PROTOCOL_UNDEFINED;
    scard::check(KAMUSM_SCARD(SCardConnect)(
                     handleOf(context_), readerName.c_str(), scard::shareMode(accessMode),
                     scard::protocolMask(preferredProtocols), &card, &active),
                 "SCardConnect");
    ConnectResult result;
    result.connection = std::make_unique<PcscLiteConnection>(card, active);
    result.activeProtocol = scard::activeProtocol(active);
    co_return result;
}

} // namespace kamusm::pcsc
