// SMS delivery. A deployment plugs its operator's gateway in here; the reference server appends
// each message to a file outbox and, in demo mode, to the `sms_outbox` table read by
// GET /demo/outbox.
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

class SmsGateway {
public:
    virtual ~SmsGateway() = default;
    virtual void send(const SmsMessage& message) = 0;
};

// Appends "<time> <to> <text>" lines to a file, and the message to the database's outbox.
class OutboxGateway : public SmsGateway {
public:
    OutboxGateway(Database& db, std::string file) : db_(db), file_(std::move(file)) {}
    void send(const SmsMessage& message) override;
    // Every message sent, oldest first.
    std::vector<SmsMessage> messages();

private:
    Database& db_;
    std::string file_;
};

} // namespace kamusm::server
