#include "kamusm/base/json.hpp"

#include <doctest/doctest.h>

using kamusm::json::parse;
using kamusm::json::Value;

TEST_CASE("json: a backend message is read member by member") {
    const auto body = parse(R"( {"session": "s-1", "expires_in": 300, "demo": false,
                                 "holder": {"name": "AYŞE", "birth_year": null},
                                 "list": [1, 2.5, -3e2]} )");
    REQUIRE(body);
    CHECK((*body)["session"].string() == "s-1");
    CHECK((*body)["expires_in"].integer() == 300);
    CHECK((*body)["demo"].boolean() == false);
    CHECK((*body)["holder"]["name"].string() == "AYŞE");
    CHECK((*body)["holder"]["birth_year"].isNull());
    CHECK((*body)["holder"].find("birth_year") != nullptr);
    CHECK((*body)["missing"]["deeper"].isNull());
    CHECK(body->find("missing") == nullptr);
    REQUIRE((*body)["list"].items().size() == 3);
    CHECK((*body)["list"].items()[1].integer() == std::nullopt); // 2.5 has a fraction
    CHECK((*body)["list"].items()[1].number() == 2.5);
    CHECK((*body)["list"].items()[2].integer() == -300);
}

TEST_CASE("json: a value of another kind is not taken for the one asked") {
    const auto body = parse(R"({"n": "300", "s": 300, "b": 1})");
    REQUIRE(body);
    CHECK((*body)["n"].integer() == std::nullopt);
    CHECK((*body)["s"].string() == std::nullopt);
    CHECK((*body)["b"].boolean() == std::nullopt);
    CHECK(parse("9007199254740992")->integer() == std::nullopt); // 2^53: not exact beyond
    CHECK(parse("[]")->find("x") == nullptr);
}

TEST_CASE("json: malformed texts are refused, not half read") {
    for (const char* text : {"",
                             " ",
                             "{",
                             "[1,]",
                             "{\"a\":1,}",
                             "{\"a\" 1}",
                             "{a:1}",
                             "01",
                             "1.",
                             ".5",
                             "-",
                             "1e",
                             "+1",
                             "tru",
                             "nulll",
                             "\"open",
                             "\"tab\there\"",
                             "\"\\x\"",
                             "\"\\u12\"",
                             "\"\\udc00\"",
                             "\"\\ud800\"",
                             "\"\\ud800\\u0041\"",
                             "\"\xC3\"",
                             "\"\xC0\xAF\"",
                             "\"\xED\xA0\x80\"",
                             "\"\xF4\x90\x80\x80\"",
                             "1e999",
                             "[1] 2",
                             "NaN",
                             "{\"a\":1}}"})
        CHECK_MESSAGE(!parse(text), text);
    CHECK(!parse(std::string("null\0x", 6)));                   // a NUL is not the end of the text
    CHECK(!parse(std::string(65, '[') + std::string(65, ']'))); // deeper than 64
    CHECK(parse(std::string(64, '[') + std::string(64, ']')));
}

TEST_CASE("json: escapes and UTF-8 are read to UTF-8") {
    CHECK(parse(R"("\u00e7\u011f \ud83d\ude00 \"\\\/\b\f\n\r\t")")->string() ==
          "çğ 😀 \"\\/\b\f\n\r\t");
    CHECK(parse("\"İş 😀\"")->string() == "İş 😀");
    for (const char* edge : {"\"\xE0\xA0\x80\"", "\"\xED\x9F\xBF\"", "\"\xEF\xBF\xBF\"",
                             "\"\xF0\x90\x80\x80\"", "\"\xF4\x8F\xBF\xBF\""})
        CHECK_MESSAGE(parse(edge), edge); // U+0800, U+D7FF, U+FFFF, U+10000, U+10FFFF
    for (const char* bad : {"\"\xE0\x9F\xBF\"", "\"\xF0\x8F\xBF\xBF\"", "\"\xF5\x80\x80\x80\"",
                            "\"\xC1\xBF\"", "\"\xE1\x80\""})
        CHECK_MESSAGE(!parse(bad), bad); // overlong, above U+10FFFF, cut short
}

TEST_CASE("json: written compactly, strings escaped, integers without a fraction") {
    Value value = Value::object({{"step", "code"}, {"progress", 0.5}, {"count", 3}});
    value.set("none", nullptr);
    value.set("count", 4); // a member set twice keeps its place
    Value list = Value::array();
    list.push("a\"b\\c\nd\x01");
    list.push(true);
    list.push(-12345678901LL);
    value.set("list", std::move(list));
    CHECK(
        value.dump() ==
        R"({"step":"code","progress":0.5,"count":4,"none":null,"list":["a\"b\\c\nd\u0001",true,-12345678901]})");
    CHECK(Value().dump() == "null");
    CHECK(Value::array().dump() == "[]");
    CHECK(Value::object().dump() == "{}");
    CHECK(Value(0.1).dump() == "0.10000000000000001");
    CHECK(parse(Value(0.1).dump())->number() == 0.1);
}

TEST_CASE("json: a repeated key, the last one counts") {
    CHECK((*parse(R"({"a":1,"a":2})"))["a"].integer() == 2);
}

TEST_CASE("json: a string that is not UTF-8 is written with U+FFFD, never as broken text") {
    CHECK(Value(std::string("a\xC3(b\xFF")).dump() == "\"a\xEF\xBF\xBD(b\xEF\xBF\xBD\"");
    CHECK(parse(Value(std::string("\xE2\x82")).dump()));
}

TEST_CASE("json: a message that carried a PIN is wiped") {
    auto message = parse(R"({"command":[0,32,0,129,6,49,50,51,52,53,54],"pin":"123456"})");
    REQUIRE(message);
    message->wipe();
    CHECK(message->dump() == R"({"command":[0,0,0,0,0,0,0,0,0,0,0],"pin":""})");
}
