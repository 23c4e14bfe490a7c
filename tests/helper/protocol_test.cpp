// The messages' own rules: ids, method names, members read strictly, answers' shape.
#include "kamusm/helper/error.hpp"
#include "kamusm/helper/protocol.hpp"
#include "kamusm/pcsc/error.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace kamusm::helper;
using kamusm::Bytes;
namespace pcsc = kamusm::pcsc;
using Json = nlohmann::json; // the reference reader of what the host writes
using kamusm::json::Value;

namespace {

std::optional<ErrorCode> failure(std::string_view text, std::optional<RequestId>& id) {
    try {
        (void)parseRequest(text, id);
    } catch (const Error& error) {
        return error.code();
    }
    return std::nullopt;
}

} // namespace

TEST_CASE("every method has its name, and a request needs an id and a known method") {
    for (int i = 0; i < methodCount; ++i) {
        const auto method = static_cast<Method>(i);
        std::optional<RequestId> id;
        const Request request =
            parseRequest(Json{{"id", i}, {"method", methodName(method)}}.dump(), id);
        CHECK(request.method == method);
        CHECK(request.id == static_cast<RequestId>(i));
    }
    std::optional<RequestId> id;
    CHECK(failure("", id) == ErrorCode::Malformed);
    CHECK(failure("\"text\"", id) == ErrorCode::Malformed);
    CHECK(failure(R"({"id": 1.5, "method": "status"})", id) == ErrorCode::Malformed);
    CHECK_FALSE(id);
    CHECK(failure(R"({"id": 9, "method": "eject"})", id) == ErrorCode::UnknownMethod);
    CHECK(id == RequestId{9});
}

TEST_CASE("members are read strictly") {
    const Value message = *kamusm::json::parse(
        R"({"context": 4294967295, "big": 4294967296, "name": "x", "bytes": [0, 255], "bad": [1, -1]})");
    CHECK(numberMember(message, "context") == 0xFFFFFFFFU);
    CHECK_THROWS_AS(numberMember(message, "big"), Error);
    CHECK_THROWS_AS(numberMember(message, "name"), Error);
    CHECK_THROWS_AS(numberMember(message, "absent"), Error);
    CHECK(stringMember(message, "name") == "x");
    CHECK_THROWS_AS(stringMember(message, "context"), Error);
    CHECK(bytesMember(message, "bytes") == Bytes{0x00, 0xFF});
    CHECK_THROWS_AS(bytesMember(message, "bad"), Error);
    CHECK_THROWS_AS(bytesMember(message, "absent"), Error);
    CHECK(bytesMember(message, "absent", true).empty());
}

TEST_CASE("answers: a result, a SmartCardError with its SCARD value, a DOMException") {
    CHECK(Json::parse(resultMessage(3, Value::object({{"context", 1}}))) ==
          Json{{"id", 3}, {"result", {{"context", 1}}}});
    const WireError removed = wireErrorOf(std::make_exception_ptr(
        pcsc::Error(pcsc::ErrorCode::RemovedCard, "SCardTransmit", 0x80100069)));
    CHECK(Json::parse(errorMessage(4, removed))["error"] == Json{{"responseCode", "removed-card"},
                                                                 {"message", "pcsc: SCardTransmit"},
                                                                 {"scard", 0x80100069}});
    const WireError refused =
        wireErrorOf(std::make_exception_ptr(Error(ErrorCode::Refused, "no PUK")));
    CHECK(Json::parse(errorMessage(std::nullopt, refused)) ==
          Json{{"id", nullptr},
               {"error", {{"name", "NotAllowedError"}, {"message", "helper: no PUK"}}}});
    // A reader name that is not UTF-8 still makes a valid answer.
    Value readers = Value::array();
    readers.push(std::string("Lecteur \xE9"));
    const Json odd = Json::parse(resultMessage(5, Value::object({{"readers", readers}})));
    CHECK(odd["result"]["readers"][0] == "Lecteur \xEF\xBF\xBD");
}
