// SMS delivery through a transactional outbox: the message is queued in the `sms_outbox` table
// in the transaction that stores its code, and handed to the gateway after the commit. A message
// whose hand-over was cut short (a crash) is handed over again by the next sweep: delivery is
// at least once, and never of a code the database does not hold. GET /demo/outbox reads the
// same table.
#pragma once

#include "kamusm/server/database.hpp"

#include <string>
#include <vector>

namespace kamusm::server {

struct SmsMessage {
    std::string to;
    std::string text;
    std::string code; // kept apart so that the demo outbox can show it
};

// A deployment plugs its operator's gateway in here.
class SmsGateway {
public:
    virtual ~SmsGateway() = default;
    virtual void send(const SmsMessage& message) = 0;
};

// Appends "<time> <to> <text>" lines to a file.
class FileSmsGateway : public SmsGateway {
public:
    explicit FileSmsGateway(std::string file) : file_(std::move(file)) {}
    void send(const SmsMessage& message) override;

private:
    std::string file_;
};

class SmsOutbox {
public:
    SmsOutbox(Database& db, SmsGateway& gateway) : db_(db), gateway_(gateway) {}
    // Queues `message` in `tx`; it goes to the gateway once `tx` commits.
    void queue(Tx& tx, const SmsMessage& message);
    // Hands over every message queued and not delivered, whose last hand-over (if any) began
    // more than `stale` seconds ago.
    void deliverPending(int stale);
    // Every message queued, oldest first.
    std::vector<SmsMessage> messages();

private:
    void deliver(std::int64_t id, int stale);

    Database& db_;
    SmsGateway& gateway_;
};

} // namespace kamusm::server
