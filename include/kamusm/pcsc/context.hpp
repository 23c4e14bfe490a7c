// PC/SC access shaped after the Web Smart Card API (WICG web-smart-card: SmartCardContext,
// SmartCardConnection), so that one adapter above it serves navigator.smartCard, the desktop
// helper, pcsc-lite natively and the test fakes. Every call may suspend; every failure is a
// pcsc::Error. A wait for a status change settles with the task's cancellation (AbortSignal in
// the browser, SCardCancel natively).
#pragma once

#include "kamusm/base/bytes.hpp"
#include "kamusm/base/task.hpp"
#include "kamusm/pcsc/error.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kamusm::pcsc {

using Milliseconds = std::chrono::milliseconds;

// SmartCardReaderStateFlagsIn / Out in one: `changed` and `unknown` only come out.
struct ReaderStateFlags {
    bool unaware = false; // in: the caller knows nothing yet (report the state now)
    bool ignore = false;
    bool changed = false; // out: differs from the state passed in
    bool unavailable = false;
    bool unknown = false; // out: no such reader
    bool empty = false;
    bool present = false;
    bool exclusive = false;
    bool inuse = false;
    bool mute = false;
    bool unpowered = false;
};

struct ReaderStateIn {
    std::string readerName;
    ReaderStateFlags currentState;
    std::optional<std::uint32_t> currentCount; // the event counter seen last (pcsc-lite: high word)
};

struct ReaderStateOut {
    std::string readerName;
    ReaderStateFlags eventState;
    std::optional<std::uint32_t> eventCount;
    Bytes answerToReset; // empty when no card
};

enum class AccessMode { Shared, Exclusive, Direct };
enum class Protocol { Raw, T0, T1 };
// SmartCardDisposition: what happens to the card when a connection or transaction ends.
enum class Disposition { Leave, Reset, Unpower, Eject };

struct ConnectionStatus {
    std::string readerName;
    enum class State {
        Absent,
        Present,
        Swallowed,
        Powered,
        Negotiable,
        Specific
    } state = State::Absent;
    std::optional<Protocol> activeProtocol;
    Bytes answerToReset;
};

class Connection {
public:
    virtual ~Connection() = default;
    // One APDU out, its response (data + SW1 SW2) back.
    virtual Task<Bytes> transmit(ByteView command) = 0;
    // startTransaction: no other connection to the card is served until endTransaction.
    virtual Task<void> beginTransaction() = 0;
    virtual Task<void> endTransaction(Disposition disposition) = 0;
    virtual Task<ConnectionStatus> status() = 0;
    virtual Task<void> disconnect(Disposition disposition) = 0;
    // SCardControl: a command for the reader itself (IOCTL `controlCode`), its answer back.
    // Only the desktop helper passes these on (an allow-list of them); other stacks say
    // UnsupportedFeature.
    virtual Task<Bytes> control(std::uint32_t controlCode, ByteView data) {
        (void)controlCode, (void)data;
        throw Error(ErrorCode::UnsupportedFeature, "control: not offered here");
    }
};

struct ConnectResult {
    std::unique_ptr<Connection> connection;
    std::optional<Protocol> activeProtocol;
};

class Context {
public:
    virtual ~Context() = default;
    virtual Task<std::vector<std::string>> listReaders() = 0;
    // Resumes when a reader's state differs from `readerStates` (then every state, flagged
    // `changed` where it differs), or throws Timeout after `timeout` (none: wait until
    // cancelled). The special reader name "\\\\?PnP?\\Notification" reports readers added or
    // removed, as in PC/SC.
    virtual Task<std::vector<ReaderStateOut>>
    getStatusChange(std::vector<ReaderStateIn> readerStates,
                    std::optional<Milliseconds> timeout) = 0;
    virtual Task<ConnectResult> connect(const std::string& readerName, AccessMode accessMode,
                                        std::vector<Protocol> preferredProtocols) = 0;
};

// PC/SC's reader name for "a reader was added or removed" in getStatusChange.
inline constexpr char pnpNotification[] = "\\\\?PnP?\\Notification";

} // namespace kamusm::pcsc
