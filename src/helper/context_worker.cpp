#include "context_worker.hpp"

#include "kamusm/helper/apdu_policy.hpp"
#include "kamusm/helper/error.hpp"
#include "kamusm/pcsc/dictionaries.hpp"

#include <algorithm>
#include <cstdio>
#include <utility>

namespace kamusm::helper {

namespace {

using json::Value;
using Clock = std::chrono::steady_clock;

template <typename T> T named(std::optional<T> value, const char* what) {
    if (!value) throw Error(ErrorCode::Malformed, std::string("unknown ") + what);
    return *value;
}

pcsc::Disposition dispositionOf(const Value& message) {
    return named(pcsc::dispositionNamed(stringMember(message, "disposition")), "disposition");
}

std::vector<pcsc::ReaderStateIn> readerStatesOf(const Value& message) {
    const Value& list = message["readerStates"];
    if (!list.isArray()) throw Error(ErrorCode::Malformed, "\"readerStates\" is not an array");
    std::vector<pcsc::ReaderStateIn> states;
    try {
        for (const Value& state : list.items())
            states.push_back(pcsc::readerStateIn(state));
    } catch (const pcsc::Error& error) {
        throw Error(ErrorCode::Malformed, error.what());
    }
    return states;
}

std::optional<std::chrono::milliseconds> timeoutOf(const Value& message) {
    const Value& timeout = message["timeout"];
    if (timeout.isNull()) return std::nullopt;
    const std::optional<std::int64_t> milliseconds = timeout.integer();
    if (!milliseconds || *milliseconds < 0 || *milliseconds > 0xFFFFFFFF)
        throw Error(ErrorCode::Malformed, "\"timeout\" is not a number of milliseconds");
    return std::chrono::milliseconds(*milliseconds);
}

} // namespace

ContextWorker::ContextWorker(Host& host, PcscService& service,
                             std::unique_ptr<pcsc::Context> context, std::uint32_t handle)
    : host_(host), service_(service), context_(std::move(context)), handle_(handle),
      thread_([this] { run(); }) {}

ContextWorker::~ContextWorker() {
    finish();
    if (thread_.joinable()) thread_.join();
}

void ContextWorker::post(Request request) {
    {
        std::lock_guard lock(mutex_);
        if (!finishing_) {
            queue_.push_back(std::move(request));
            wake_.notify_one();
            return;
        }
    }
    answerReleased(request.id);
}

bool ContextWorker::cancel(RequestId id) {
    std::lock_guard lock(mutex_);
    const bool queued = std::any_of(queue_.begin(), queue_.end(), [id](const Request& request) {
        return request.id == id && request.method == Method::GetStatusChange;
    });
    if (!queued && currentWait_ != id) return false;
    cancelled_.insert(id);
    if (currentWait_ == id && context_) service_.cancelWaits(*context_);
    return true;
}

void ContextWorker::finish(std::optional<Request> request) {
    std::deque<Request> dropped;
    {
        std::lock_guard lock(mutex_);
        if (finishing_) return;
        finishing_ = true;
        releaseRequest_ = std::move(request);
        dropped.swap(queue_); // the page is done with the context: nothing more reaches a card
        if (currentWait_ && context_) {
            cancelled_.insert(*currentWait_);
            service_.cancelWaits(*context_);
        }
        wake_.notify_one();
    }
    for (const Request& queued : dropped)
        answerReleased(queued.id);
}

void ContextWorker::answerReleased(RequestId id) {
    host_.answer(errorMessage(id, wireErrorOf(std::make_exception_ptr(Error(
                                      ErrorCode::UnknownHandle, "the context is released")))));
}

void ContextWorker::run() {
    for (;;) {
        Request request;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return !queue_.empty() || finishing_; });
            if (queue_.empty()) break;
            request = std::move(queue_.front());
            queue_.pop_front();
            if (request.method == Method::GetStatusChange) currentWait_ = request.id;
        }
        perform(request);
        std::lock_guard lock(mutex_);
        if (currentWait_) cancelled_.erase(*std::exchange(currentWait_, std::nullopt));
    }
    releaseAll();
    if (releaseRequest_) host_.answer(resultMessage(releaseRequest_->id, Value::object()));
    std::lock_guard lock(mutex_);
    ended_ = true;
    endedChanged_.notify_all();
}

bool ContextWorker::ended() {
    std::lock_guard lock(mutex_);
    return ended_;
}

bool ContextWorker::waitEnded(Clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    return endedChanged_.wait_until(lock, deadline, [this] { return ended_; });
}

void ContextWorker::perform(Request& request) {
    try {
        host_.answer(resultMessage(request.id, call(request)));
    } catch (...) {
        host_.answer(errorMessage(request.id, wireErrorOf(std::current_exception())));
    }
    request.message.wipe(); // the PIN in a VERIFY or CHANGE lives in the parsed message too
}

Value ContextWorker::call(const Request& request) {
    const Value& message = request.message;
    switch (request.method) {
    case Method::ListReaders: {
        Value readers = Value::array();
        for (std::string& name : runSync(context_->listReaders()))
            readers.push(std::move(name));
        return Value::object({{"readers", std::move(readers)}});
    }
    case Method::GetStatusChange:
        return getStatusChange(request);
    case Method::Connect:
        return connect(message);
    case Method::Transmit:
        return transmit(message);
    case Method::StartTransaction:
        runSync(connection(message).beginTransaction());
        return Value::object();
    case Method::EndTransaction:
        runSync(connection(message).endTransaction(dispositionOf(message)));
        return Value::object();
    case Method::Status:
        return pcsc::toJson(runSync(connection(message).status()));
    case Method::Disconnect:
        disconnect(numberMember(message, "connection"), dispositionOf(message));
        return Value::object();
    case Method::Control:
        return control(message);
    default: // the host answers the rest itself
        throw Error(ErrorCode::UnknownMethod, std::string(methodName(request.method)));
    }
}

// Taken in slices: a cancel that comes between the check and the call into PC/SC (where
// SCardCancel has nothing to end yet) is seen at the next slice.
Value ContextWorker::getStatusChange(const Request& request) {
    const std::vector<pcsc::ReaderStateIn> states = readerStatesOf(request.message);
    const std::optional<std::chrono::milliseconds> timeout = timeoutOf(request.message);
    const Clock::time_point start = Clock::now();
    const std::chrono::milliseconds slice = host_.limits().waitSlice;
    const auto stillWanted = [&] {
        std::lock_guard lock(mutex_);
        if (cancelled_.erase(request.id))
            throw Error(ErrorCode::Aborted, "getStatusChange was cancelled");
    };
    for (;;) {
        stillWanted();
        std::chrono::milliseconds wait = slice;
        if (timeout) {
            const auto spent =
                std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
            wait = std::clamp(*timeout - spent, std::chrono::milliseconds(0), slice);
        }
        try {
            Value list = Value::array();
            for (const pcsc::ReaderStateOut& state :
                 runSync(context_->getStatusChange(states, wait)))
                list.push(pcsc::toJson(state));
            return Value::object({{"readerStates", std::move(list)}});
        } catch (const pcsc::Error& error) {
            stillWanted(); // SCardCancel's SCARD_E_CANCELLED is the page's cancel
            if (error.code() != pcsc::ErrorCode::Timeout) throw;
            if (timeout && Clock::now() - start >= *timeout) throw;
        }
    }
}

Value ContextWorker::connect(const Value& message) {
    const std::string reader = stringMember(message, "reader");
    const pcsc::AccessMode mode =
        named(pcsc::accessModeNamed(stringMember(message, "accessMode")), "access mode");
    std::vector<pcsc::Protocol> preferred;
    if (const Value* protocols = message.find("preferredProtocols")) {
        if (!protocols->isArray())
            throw Error(ErrorCode::Malformed, "\"preferredProtocols\" is not an array");
        for (const Value& name : protocols->items())
            preferred.push_back(named(pcsc::protocolNamed(name.string().value_or("")), "protocol"));
    }
    const std::uint32_t handle = host_.addConnection(handle_);
    try {
        pcsc::ConnectResult result = runSync(context_->connect(reader, mode, preferred));
        connections_.emplace(handle, std::move(result.connection));
        return Value::object(
            {{"connection", handle},
             {"activeProtocol",
              result.activeProtocol ? Value(pcsc::nameOf(*result.activeProtocol)) : Value()}});
    } catch (...) {
        host_.removeConnection(handle);
        throw;
    }
}

Value ContextWorker::transmit(const Value& message) {
    pcsc::Connection& card = connection(message);
    Bytes command = bytesMember(message, "command");
    WipeOnExit wipeCommand(command);
    if (const std::optional<Refused> refused = refusalFor(command))
        throw Error(ErrorCode::Refused,
                    "the helper does not pass on " + std::string(refused->what));
    return Value::object({{"response", pcsc::bytesJson(runSync(card.transmit(command)))}});
}

Value ContextWorker::control(const Value& message) {
    pcsc::Connection& card = connection(message);
    const std::uint32_t code = numberMember(message, "controlCode");
    const std::vector<std::uint32_t>& allowed = host_.limits().allowedControlCodes;
    if (std::find(allowed.begin(), allowed.end(), code) == allowed.end()) {
        char hex[16];
        std::snprintf(hex, sizeof hex, "0x%08X", code);
        throw Error(ErrorCode::Refused,
                    std::string("the helper does not pass on the control code ") + hex);
    }
    Bytes data = bytesMember(message, "data", true);
    WipeOnExit wipeData(data);
    return Value::object({{"response", pcsc::bytesJson(runSync(card.control(code, data)))}});
}

pcsc::Connection& ContextWorker::connection(const Value& message) {
    const auto found = connections_.find(numberMember(message, "connection"));
    if (found == connections_.end())
        throw Error(ErrorCode::UnknownHandle, "no such connection (disconnected?)");
    return *found->second;
}

void ContextWorker::disconnect(std::uint32_t handle, pcsc::Disposition disposition) {
    auto node = connections_.extract(handle);
    if (!node) throw Error(ErrorCode::UnknownHandle, "no such connection (disconnected?)");
    host_.removeConnection(handle);
    runSync(node.mapped()->disconnect(disposition));
}

// No verified PIN or pending authorization outlives the page: every card is reset.
void ContextWorker::releaseAll() {
    for (auto& [handle, connection] : connections_) {
        host_.removeConnection(handle);
        try {
            runSync(connection->disconnect(pcsc::Disposition::Reset));
        } catch (const kamusm::Error&) {
            // the card or reader is gone: nothing holds a PIN any more
        }
    }
    connections_.clear();
    std::lock_guard lock(mutex_);
    context_.reset();
}

} // namespace kamusm::helper
