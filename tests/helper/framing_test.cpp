// Chrome's native messaging framing: messages however the reads split them, the size limits,
// and a message cut off at the end of the input.
#include "kamusm/helper/error.hpp"
#include "kamusm/helper/framing.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <vector>

using namespace kamusm::helper;

namespace {

std::string lengthPrefix(std::uint32_t length) {
    std::string prefix(4, '\0');
    std::memcpy(prefix.data(), &length, 4);
    return prefix;
}

} // namespace

TEST_CASE("a message is its length in the machine's byte order, then its bytes") {
    const std::string framed = frame(R"({"id":1})");
    CHECK(framed == lengthPrefix(8) + R"({"id":1})");
    CHECK(frame("") == lengthPrefix(0));
}

TEST_CASE("messages come out whole however the reads split the stream") {
    const std::string stream =
        frame("first") + frame("") + frame(std::string(70000, 'x')) + frame("last");
    for (std::size_t step : {std::size_t{1}, std::size_t{3}, std::size_t{4096}, stream.size()}) {
        FrameReader reader;
        std::vector<std::string> messages;
        for (std::size_t at = 0; at < stream.size(); at += step) {
            reader.feed(std::string_view(stream).substr(at, step));
            while (std::optional<std::string> message = reader.next())
                messages.push_back(*message);
        }
        REQUIRE(messages.size() == 4);
        CHECK(messages[0] == "first");
        CHECK(messages[1].empty());
        CHECK(messages[2].size() == 70000);
        CHECK(messages[3] == "last");
        CHECK_FALSE(reader.partial());
    }
}

TEST_CASE("a message cut off by the end of the input stays partial") {
    FrameReader reader;
    reader.feed(frame("complete") + frame("cut off").substr(0, 6));
    CHECK(reader.next() == "complete");
    CHECK_FALSE(reader.next());
    CHECK(reader.partial());
    FrameReader lengthOnly;
    lengthOnly.feed(lengthPrefix(5).substr(0, 2));
    CHECK_FALSE(lengthOnly.next());
    CHECK(lengthOnly.partial());
}

TEST_CASE("a length over the limit is refused before any of it is read") {
    for (std::uint32_t length : {std::uint32_t(maxMessageIn + 1), std::uint32_t(0xFFFFFFFF)}) {
        FrameReader reader;
        reader.feed(lengthPrefix(length) + "{}");
        try {
            (void)reader.next();
            FAIL("no error");
        } catch (const Error& error) {
            CHECK(error.code() == ErrorCode::TooLarge);
        }
    }
    FrameReader atLimit;
    atLimit.feed(lengthPrefix(maxMessageIn));
    CHECK_FALSE(atLimit.next()); // allowed: waits for the bytes
    try {
        (void)frame(std::string(maxMessageOut + 1, ' '));
        FAIL("no error");
    } catch (const Error& error) {
        CHECK(error.code() == ErrorCode::TooLarge);
    }
}
