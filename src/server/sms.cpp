#include "kamusm/server/sms.hpp"

#include "kamusm/server/log.hpp"

#include <ctime>
#include <fstream>
#include <optional>
#include <stdexcept>

namespace kamusm::server {

namespace {

std::int64_t now() {
    return std::time(nullptr);
}

} // namespace

void FileSmsGateway::send(const SmsMessage& message) {
    std::ofstream file(file_, std::ios::app);
    if (!file) throw std::runtime_error("cannot write the SMS outbox " + file_);
    file << now() << ' ' << message.to << ' ' << message.text << '\n';
    file.flush();
    if (!file) throw std::runtime_error("cannot write the SMS outbox " + file_);
}

void SmsOutbox::queue(Tx& tx, const SmsMessage& message) {
    auto row = tx.queryOne("INSERT INTO sms_outbox (sent_at, recipient, text, code) "
                           "VALUES (?, ?, ?, ?) RETURNING id",
                           {now(), message.to, message.text, message.code});
    std::int64_t id = row->integer(0);
    tx.afterCommit([this, id] { deliver(id, 0); });
}

// Claims the message (sent_at marks the hand-over's start, so that another instance's sweep
// leaves it alone), hands it over, then marks it delivered.
void SmsOutbox::deliver(std::int64_t id, int stale) {
    std::optional<SmsMessage> message = db_.transact([&](Tx& tx) -> std::optional<SmsMessage> {
        auto row = tx.queryOne("UPDATE sms_outbox SET sent_at = ? WHERE id = ? AND "
                               "delivered_at IS NULL AND sent_at <= ? "
                               "RETURNING recipient, text, code",
                               {now(), id, now() - stale});
        if (!row) return std::nullopt;
        return SmsMessage{row->text(0), row->text(1), row->text(2)};
    });
    if (!message) return;
    try {
        gateway_.send(*message);
    } catch (const std::exception& error) {
        // Left undelivered: the next sweep tries again.
        logEvent("error", "sms_failed", {{"error", error.what()}});
        return;
    }
    db_.transact([&](Tx& tx) {
        tx.execute("UPDATE sms_outbox SET delivered_at = ? WHERE id = ?", {now(), id});
    });
}

void SmsOutbox::deliverPending(int stale) {
    Rows pending = db_.transact([&](Tx& tx) {
        return tx.query("SELECT id FROM sms_outbox WHERE delivered_at IS NULL AND sent_at <= ? "
                        "ORDER BY id",
                        {now() - stale});
    });
    for (const Row& row : pending)
        deliver(row.integer(0), stale);
}

std::vector<SmsMessage> SmsOutbox::messages() {
    return db_.transact([](Tx& tx) {
        std::vector<SmsMessage> result;
        for (const Row& row : tx.query("SELECT recipient, text, code FROM sms_outbox ORDER BY id"))
            result.push_back({row.text(0), row.text(1), row.text(2)});
        return result;
    });
}

} // namespace kamusm::server
