// Chrome's native messaging framing (developer.chrome.com, "Native messaging"): each message is
// its length as a 32-bit unsigned integer in the machine's byte order, then that many bytes of
// UTF-8 JSON, on the host's standard input and output.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace kamusm::helper {

// Ours: a short APDU as a JSON array of numbers takes about 1 KB, an extended one under 300 KB.
inline constexpr std::size_t maxMessageIn = 1024 * 1024;
// Chrome's: a host may send at most 1 MB in one message.
inline constexpr std::size_t maxMessageOut = 1024 * 1024;

// Cuts the byte stream from the browser into messages, however the reads split it. What it held
// is wiped as it goes: a VERIFY's PIN passes through here.
class FrameReader {
public:
    FrameReader() = default;
    FrameReader(const FrameReader&) = delete;
    FrameReader& operator=(const FrameReader&) = delete;
    ~FrameReader();

    void feed(std::string_view bytes);
    // The next whole message, or nullopt until more bytes come. Throws helper::Error{TooLarge}
    // when a message announces more than maxMessageIn bytes (the stream cannot be resynced).
    std::optional<std::string> next();
    // An unfinished message is waiting: at the end of the input it was cut off.
    bool partial() const { return !buffer_.empty(); }

private:
    std::string buffer_;
};

// The message with its length in front; throws helper::Error{TooLarge} over maxMessageOut.
std::string frame(std::string_view message);

} // namespace kamusm::helper
