#include "kamusm/base/json.hpp"

#include "kamusm/base/bytes.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace kamusm::json {

namespace {

constexpr double exactLimit = 9007199254740992.0; // 2^53
constexpr int maxDepth = 64;

const Value& nullValue() {
    static const Value null;
    return null;
}

void appendUtf8(std::string& out, std::uint32_t code) {
    if (code < 0x80) {
        out += static_cast<char>(code);
    } else if (code < 0x800) {
        out += static_cast<char>(0xC0 | code >> 6);
        out += static_cast<char>(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
        out += static_cast<char>(0xE0 | code >> 12);
        out += static_cast<char>(0x80 | (code >> 6 & 0x3F));
        out += static_cast<char>(0x80 | (code & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | code >> 18);
        out += static_cast<char>(0x80 | (code >> 12 & 0x3F));
        out += static_cast<char>(0x80 | (code >> 6 & 0x3F));
        out += static_cast<char>(0x80 | (code & 0x3F));
    }
}

// Well-formed UTF-8 (Unicode 15, table 3-7): by lead byte, the sequence's length and the range
// of its second byte (the rest are 80..BF). No overlong forms, surrogates or code points above
// U+10FFFF.
struct Utf8Lead {
    unsigned char first, last;
    std::size_t length;
    unsigned char low, high;
};
constexpr Utf8Lead utf8Leads[] = {
    {0xC2, 0xDF, 2, 0x80, 0xBF}, {0xE0, 0xE0, 3, 0xA0, 0xBF}, {0xE1, 0xEC, 3, 0x80, 0xBF},
    {0xED, 0xED, 3, 0x80, 0x9F}, {0xEE, 0xEF, 3, 0x80, 0xBF}, {0xF0, 0xF0, 4, 0x90, 0xBF},
    {0xF1, 0xF3, 4, 0x80, 0xBF}, {0xF4, 0xF4, 4, 0x80, 0x8F},
};

// The length of the UTF-8 sequence at the start of `text`, or 0 if it is not well formed.
std::size_t utf8Length(std::string_view text) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    if (byte(0) < 0x80) return 1;
    for (const Utf8Lead& lead : utf8Leads) {
        if (byte(0) < lead.first || byte(0) > lead.last) continue;
        if (text.size() < lead.length || byte(1) < lead.low || byte(1) > lead.high) return 0;
        for (std::size_t i = 2; i < lead.length; ++i)
            if ((byte(i) & 0xC0) != 0x80) return 0;
        return lead.length;
    }
    return 0;
}

} // namespace

// Recursive descent over RFC 8259's grammar; every failure ends the parse with ok = false.
class Parser {
public:
    explicit Parser(std::string_view text) : text_(text) {}

    std::optional<Value> document() {
        Value value = parseValue(0);
        skipSpace();
        if (!ok_ || at_ != text_.size()) return std::nullopt;
        return value;
    }

private:
    std::string_view text_;
    std::size_t at_ = 0;
    bool ok_ = true;

    Value fail() {
        ok_ = false;
        return {};
    }
    bool more() const { return ok_ && at_ < text_.size(); }
    char peek() const { return more() ? text_[at_] : '\0'; }
    void skipSpace() {
        while (more() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r'))
            ++at_;
    }
    bool take(char c) {
        if (peek() != c) return false;
        ++at_;
        return true;
    }
    bool takeWord(std::string_view word) {
        if (text_.substr(at_, word.size()) != word) return false;
        at_ += word.size();
        return true;
    }

    Value parseValue(int depth) {
        skipSpace();
        if (depth >= maxDepth) return fail();
        switch (peek()) {
        case '{':
            return parseObject(depth);
        case '[':
            return parseArray(depth);
        case '"': {
            std::string text;
            return parseString(text) ? Value(std::move(text)) : fail();
        }
        case 't':
            return takeWord("true") ? Value(true) : fail();
        case 'f':
            return takeWord("false") ? Value(false) : fail();
        case 'n':
            return takeWord("null") ? Value() : fail();
        default:
            return parseNumber();
        }
    }

    Value parseArray(int depth) {
        ++at_; // [
        Value array = Value::array();
        skipSpace();
        if (take(']')) return array;
        do {
            array.items_.push_back(parseValue(depth + 1));
            skipSpace();
        } while (ok_ && take(','));
        return ok_ && take(']') ? array : fail();
    }

    Value parseObject(int depth) {
        ++at_; // {
        Value object = Value::object();
        skipSpace();
        if (take('}')) return object;
        do {
            skipSpace();
            std::string key;
            if (!parseString(key)) return fail();
            skipSpace();
            if (!take(':')) return fail();
            // Appended, not set: a hostile text of many keys stays linear. A repeated key: the
            // last one counts (find() looks from the end).
            object.members_.push_back({std::move(key), parseValue(depth + 1)});
            skipSpace();
        } while (ok_ && take(','));
        return ok_ && take('}') ? object : fail();
    }

    bool digits() {
        const std::size_t start = at_;
        while (peek() >= '0' && peek() <= '9')
            ++at_;
        return at_ > start;
    }

    Value parseNumber() {
        const std::size_t start = at_;
        take('-');
        if (!take('0') && !digits()) return fail();
        if (take('.') && !digits()) return fail();
        if (take('e') || take('E')) {
            if (!take('+')) take('-');
            if (!digits()) return fail();
        }
        const std::string number(text_.substr(start, at_ - start)); // strtod needs a NUL
        const double value = std::strtod(number.c_str(), nullptr);
        return std::isfinite(value) ? Value(value) : fail();
    }

    // Four hex digits of a \u escape, or -1.
    long hex4() {
        if (text_.size() - at_ < 4) return -1;
        long code = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = text_[at_++];
            const int digit = c >= '0' && c <= '9'   ? c - '0'
                              : c >= 'a' && c <= 'f' ? c - 'a' + 10
                              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                     : -1;
            if (digit < 0) return -1;
            code = code * 16 + digit;
        }
        return code;
    }

    bool parseEscape(std::string& out) {
        static constexpr std::string_view from = "\"\\/bfnrt", to = "\"\\/\b\f\n\r\t";
        if (!more()) return false;
        const char c = text_[at_++];
        if (const std::size_t i = from.find(c); i != std::string_view::npos) {
            out += to[i];
            return true;
        }
        if (c != 'u') return false;
        long code = hex4();
        if (code >= 0xDC00 && code <= 0xDFFF) return false; // a lone low surrogate
        if (code >= 0xD800 && code <= 0xDBFF) {             // a high one: its pair follows
            if (!takeWord("\\u")) return false;
            const long low = hex4();
            if (low < 0xDC00 || low > 0xDFFF) return false;
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
        }
        if (code < 0) return false;
        appendUtf8(out, static_cast<std::uint32_t>(code));
        return true;
    }

    bool parseString(std::string& out) {
        if (!take('"')) return false;
        while (more()) {
            const char c = text_[at_];
            if (c == '"') {
                ++at_;
                return true;
            }
            if (static_cast<unsigned char>(c) < 0x20) return false;
            if (c == '\\') {
                ++at_;
                if (!parseEscape(out)) return false;
                continue;
            }
            const std::size_t length = utf8Length(text_.substr(at_));
            if (length == 0) return false;
            out.append(text_.substr(at_, length));
            at_ += length;
        }
        return false;
    }
};

namespace {

void dumpString(std::string& out, std::string_view text) {
    static constexpr std::string_view raw = "\"\\\n\r\t", escaped = "\"\\nrt";
    out += '"';
    for (std::size_t at = 0; at < text.size(); ++at) {
        const char c = text[at];
        if (static_cast<unsigned char>(c) >= 0x80) {
            const std::size_t length = utf8Length(text.substr(at));
            out += length ? text.substr(at, length) : "\xEF\xBF\xBD"; // U+FFFD
            at += length ? length - 1 : 0;
            continue;
        }
        if (const std::size_t i = raw.find(c); i != std::string_view::npos) {
            out += '\\';
            out += escaped[i];
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char escape[8];
            std::snprintf(escape, sizeof escape, "\\u%04x", static_cast<unsigned>(c));
            out += escape;
        } else {
            out += c;
        }
    }
    out += '"';
}

void dumpNumber(std::string& out, double number) {
    char text[32];
    if (!std::isfinite(number))
        out += "null";
    else if (std::trunc(number) == number && std::fabs(number) < exactLimit)
        out.append(text, std::snprintf(text, sizeof text, "%lld", static_cast<long long>(number)));
    else
        out.append(text, std::snprintf(text, sizeof text, "%.17g", number));
}

void dumpValue(std::string& out, const Value& value) {
    switch (value.kind()) {
    case Value::Kind::Null:
        out += "null";
        break;
    case Value::Kind::Boolean:
        out += *value.boolean() ? "true" : "false";
        break;
    case Value::Kind::Number:
        dumpNumber(out, *value.number());
        break;
    case Value::Kind::String:
        dumpString(out, *value.string());
        break;
    case Value::Kind::Array: {
        out += '[';
        const char* separator = "";
        for (const Value& item : value.items()) {
            out += separator;
            dumpValue(out, item);
            separator = ",";
        }
        out += ']';
        break;
    }
    case Value::Kind::Object: {
        out += '{';
        const char* separator = "";
        for (const Value::Member& member : value.members()) {
            out += separator;
            dumpString(out, member.first);
            out += ':';
            dumpValue(out, member.second);
            separator = ",";
        }
        out += '}';
        break;
    }
    }
}

} // namespace

Value Value::array() {
    Value value;
    value.kind_ = Kind::Array;
    return value;
}

Value Value::object(std::initializer_list<Member> members) {
    Value value;
    value.kind_ = Kind::Object;
    for (const Value::Member& member : members)
        value.set(member.first, member.second);
    return value;
}

std::optional<bool> Value::boolean() const {
    if (kind_ != Kind::Boolean) return std::nullopt;
    return boolean_;
}

std::optional<double> Value::number() const {
    if (kind_ != Kind::Number) return std::nullopt;
    return number_;
}

std::optional<std::int64_t> Value::integer() const {
    if (kind_ != Kind::Number || std::trunc(number_) != number_ || std::fabs(number_) >= exactLimit)
        return std::nullopt;
    return static_cast<std::int64_t>(number_);
}

std::optional<std::string_view> Value::string() const {
    if (kind_ != Kind::String) return std::nullopt;
    return string_;
}

const Value* Value::find(std::string_view key) const {
    for (auto member = members_.rbegin(); member != members_.rend(); ++member)
        if (member->first == key) return &member->second;
    return nullptr;
}

const Value& Value::operator[](std::string_view key) const {
    const Value* member = find(key);
    return member ? *member : nullValue();
}

void Value::set(std::string_view key, Value value) {
    if (kind_ == Kind::Null) kind_ = Kind::Object;
    for (Member& member : members_)
        if (member.first == key) {
            member.second = std::move(value);
            return;
        }
    members_.push_back({std::string(key), std::move(value)});
}

void Value::push(Value item) {
    if (kind_ == Kind::Null) kind_ = Kind::Array;
    items_.push_back(std::move(item));
}

std::string Value::dump() const {
    std::string out;
    dumpValue(out, *this);
    return out;
}

void Value::wipe() {
    number_ = 0;
    kamusm::wipe(string_);
    for (Value& item : items_)
        item.wipe();
    for (Member& member : members_)
        member.second.wipe();
}

std::optional<Value> parse(std::string_view text) {
    return Parser(text).document();
}

} // namespace kamusm::json
