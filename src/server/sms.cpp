#include "kamusm/server/sms.hpp"

#include <ctime>
#include <fstream>
#include <stdexcept>

namespace kamusm::server {

void OutboxGateway::send(const SmsMessage& message) {
    std::int64_t now = std::time(nullptr);
    std::ofstream file(file_, std::ios::app);
    if (!file) throw std::runtime_error("cannot write the SMS outbox " + file_);
    file << now << ' ' << message.to << ' ' << message.text << '\n';
    db_.execute("INSERT INTO sms_outbox (sent_at, recipient, text, code) VALUES (?, ?, ?, ?)",
                {now, message.to, message.text, message.code});
}

std::vector<SmsMessage> OutboxGateway::messages() {
    std::vector<SmsMessage> result;
    for (const Row& row : db_.query("SELECT recipient, text, code FROM sms_outbox ORDER BY id"))
        result.push_back({row.text(0), row.text(1), row.text(2)});
    return result;
}

} // namespace kamusm::server
