#include "kamusm/helper/framing.hpp"

#include "kamusm/base/bytes.hpp"
#include "kamusm/helper/error.hpp"

#include <cstdint>
#include <cstring>

namespace kamusm::helper {

namespace {

constexpr std::size_t lengthSize = sizeof(std::uint32_t);

} // namespace

FrameReader::~FrameReader() {
    wipe(buffer_);
}

void FrameReader::feed(std::string_view bytes) {
    // Growing may move the buffer: wipe the old copy rather than leave it to the allocator.
    if (buffer_.size() + bytes.size() > buffer_.capacity()) {
        std::string grown;
        grown.reserve(2 * (buffer_.size() + bytes.size()));
        grown = buffer_;
        wipe(buffer_);
        buffer_ = std::move(grown);
    }
    buffer_.append(bytes);
}

std::optional<std::string> FrameReader::next() {
    if (buffer_.size() < lengthSize) return std::nullopt;
    std::uint32_t length = 0;
    std::memcpy(&length, buffer_.data(), lengthSize); // the machine's byte order, as Chrome's
    if (length > maxMessageIn)
        throw Error(ErrorCode::TooLarge, "a message of " + std::to_string(length) +
                                             " bytes (the limit is " +
                                             std::to_string(maxMessageIn) + ")");
    if (buffer_.size() - lengthSize < length) return std::nullopt;
    std::string message = buffer_.substr(lengthSize, length);
    std::string rest = buffer_.substr(lengthSize + length);
    wipe(buffer_);
    buffer_ = std::move(rest);
    return message;
}

std::string frame(std::string_view message) {
    if (message.size() > maxMessageOut)
        throw Error(ErrorCode::TooLarge, "an answer of " + std::to_string(message.size()) +
                                             " bytes (Chrome takes at most " +
                                             std::to_string(maxMessageOut) + ")");
    const auto length = static_cast<std::uint32_t>(message.size());
    std::string framed(lengthSize, '\0');
    std::memcpy(framed.data(), &length, lengthSize);
    framed.append(message);
    return framed;
}

} // namespace kamusm::helper
