// JSON for what the browser-side code exchanges: the backend's messages, the bridges to
// JavaScript, the Web Smart Card API's dictionaries. A value, a parser that answers malformed
// text with nullopt, and a writer. Not nlohmann/json (the server and the CLI keep it): in the
// wasm its templates were about 17 KB of the bytes every holder downloads (issue 12).
// Numbers are doubles, as in JavaScript; objects keep their members in order.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace kamusm::json {

class Value {
public:
    using Member = std::pair<std::string, Value>; // key, value
    enum class Kind : std::uint8_t { Null, Boolean, Number, String, Array, Object };

    Value() = default;
    Value(std::nullptr_t) {}
    Value(bool boolean) : kind_(Kind::Boolean), boolean_(boolean) {}
    template <typename T>
    requires(std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) Value(T number)
        : kind_(Kind::Number), number_(static_cast<double>(number)) {}
    Value(std::string text) : kind_(Kind::String), string_(std::move(text)) {}
    Value(std::string_view text) : Value(std::string(text)) {}
    Value(const char* text) : Value(std::string(text)) {}

    static Value array();
    static Value object(std::initializer_list<Member> members = {});

    Kind kind() const { return kind_; }
    bool isNull() const { return kind_ == Kind::Null; }
    bool isArray() const { return kind_ == Kind::Array; }
    bool isObject() const { return kind_ == Kind::Object; }

    // The value if it is of that kind, else nullopt. integer(): a number with no fraction
    // below 2^53 in magnitude (exact in a double).
    std::optional<bool> boolean() const;
    std::optional<double> number() const;
    std::optional<std::int64_t> integer() const;
    std::optional<std::string_view> string() const;

    // An object's member, or nullptr (also when this is not an object).
    const Value* find(std::string_view key) const;
    // An object's member, or a null value.
    const Value& operator[](std::string_view key) const;
    // Sets a member of an object (a null value becomes an empty object first).
    void set(std::string_view key, Value value);
    // Appends an item to an array (a null value becomes an empty array first).
    void push(Value item);

    // An array's items / an object's members; empty for other kinds. Not of a temporary: a
    // range-for over parse(...)->items() would read a value already destroyed.
    const std::vector<Value>& items() const& { return items_; }
    const std::vector<Member>& members() const& { return members_; }
    void items() const&& = delete;
    void members() const&& = delete;

    // Compact JSON text; bytes that are not UTF-8 in a string are written as U+FFFD.
    std::string dump() const;

    // Overwrites every number and string this value holds (a message that carried a PIN).
    void wipe();

private:
    friend class Parser;
    Kind kind_ = Kind::Null;
    bool boolean_ = false;
    double number_ = 0;
    std::string string_;
    std::vector<Value> items_;
    std::vector<Member> members_;
};

// The value of a whole JSON text (RFC 8259; strings must be valid UTF-8, nesting at most 64
// deep), or nullopt.
std::optional<Value> parse(std::string_view text);

} // namespace kamusm::json
