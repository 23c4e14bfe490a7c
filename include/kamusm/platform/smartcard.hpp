// The Web Smart Card bridge: navigator.smartCard (WICG web-smart-card) behind pcsc::Context and
// pcsc::Connection. Each call starts its Promise in src/platform/web/smartcard.js and suspends the
// calling coroutine until it settles, its timeout passes or its task is cancelled;
// SmartCardError.responseCode and the other DOMExceptions become pcsc::Error codes.
//
// The API serves one operation at a time per SmartCardContext (InvalidStateError otherwise): the
// bridge starts the calls on a context one after another, but a getStatusChange waiting on a
// context makes every other call on it fail InvalidState at once. Watch the readers on a context
// of their own.
#pragma once

#include "kamusm/pcsc/context.hpp"

#include <memory>

namespace kamusm::platform::web {

// A SmartCardContext the page holds, by its handle in the JavaScript table.
class WebSmartCardContext : public pcsc::Context {
public:
    explicit WebSmartCardContext(int handle);
    ~WebSmartCardContext() override; // drops the table entry; a status-change wait is aborted

    int handle() const { return handle_; }

    // pcsc::Context
    Task<std::vector<std::string>> listReaders() override;
    // The timeout goes to the API as PC/SC's (zero: the states now); the bridge gives up a call's
    // time later on a stack that does not answer, aborting the wait and throwing Timeout.
    Task<std::vector<pcsc::ReaderStateOut>>
    getStatusChange(std::vector<pcsc::ReaderStateIn> readerStates,
                    std::optional<pcsc::Milliseconds> timeout) override;
    Task<pcsc::ConnectResult> connect(const std::string& readerName, pcsc::AccessMode accessMode,
                                      std::vector<pcsc::Protocol> preferredProtocols) override;

private:
    int handle_;
};

// A SmartCardConnection, by its handle in the JavaScript table.
class WebSmartCardConnection : public pcsc::Connection {
public:
    explicit WebSmartCardConnection(int handle);
    // Drops the table entry. A transaction still open is ended and a connection not disconnected
    // is disconnected, both with a card reset, so that no verified PIN outlives the object.
    ~WebSmartCardConnection() override;

    int handle() const { return handle_; }

    // pcsc::Connection
    Task<Bytes> transmit(ByteView command) override;
    // startTransaction(callback): resolves once the callback runs (the transaction is held).
    Task<void> beginTransaction() override;
    // Settles the callback's Promise with `disposition` and awaits startTransaction's own.
    Task<void> endTransaction(pcsc::Disposition disposition) override;
    Task<pcsc::ConnectionStatus> status() override;
    Task<void> disconnect(pcsc::Disposition disposition) override;

private:
    int handle_;
};

// Whether the page has navigator.smartCard (Isolated Web Apps, or a test's fake).
bool smartCardSupported();

// The PC/SC APIs a page may have, both with navigator.smartCard's shape.
enum class SmartCardApi {
    WebSmartCard, // navigator.smartCard
    Helper,       // the desktop helper through the KamuSM extension (src/platform/web/helper.js)
};

// Whether the KamuSM extension has announced the desktop helper on this page: at once when it
// has, else after its answer to the page's probe or a short wait.
Task<bool> helperPresent();
// The same, without waiting: what the page knows now.
bool helperAnnounced();

// establishContext() of `api`. Throws pcsc::Error: Unsupported without the API, Security when
// the permissions policy does not allow "smart-card", NoService when no PC/SC service answers,
// NotAllowed when the user or a policy refuses; for the helper, HelperNotInstalled when its
// extension is there but not its program.
Task<std::unique_ptr<WebSmartCardContext>>
establishSmartCardContext(SmartCardApi api = SmartCardApi::WebSmartCard);

// Ends every transaction and disconnects every connection with a card reset (pagehide): the
// browser would only "leave" the card, with the PIN still verified. The C++ objects stay; their
// later calls fail InvalidState.
void releaseAllSmartCards();

} // namespace kamusm::platform::web
