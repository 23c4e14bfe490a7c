#include "kamusm/server/http.hpp"

#include <algorithm>
#include <cctype>

namespace kamusm::server {

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) ==
               std::tolower(static_cast<unsigned char>(y));
    });
}

std::string Request::header(std::string_view name) const {
    for (const auto& [key, value] : headers)
        if (equalsIgnoringCase(key, name)) return value;
    return {};
}

std::vector<std::string> Request::headerLines(std::string_view name) const {
    std::vector<std::string> lines;
    for (const auto& [key, value] : headers)
        if (equalsIgnoringCase(key, name)) lines.push_back(value);
    return lines;
}

void Response::setHeader(std::string name, std::string value) {
    for (auto& [key, existing] : headers)
        if (equalsIgnoringCase(key, name)) {
            existing = std::move(value);
            return;
        }
    headers.emplace_back(std::move(name), std::move(value));
}

} // namespace kamusm::server
