#include "kamusm/server/routes.hpp"

#include <array>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

namespace kamusm::server {

namespace fs = std::filesystem;

namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 16> mimeTypes{{
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".wasm", "application/wasm"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".map", "application/json"},
    {".webmanifest", "application/manifest+json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".ttf", "font/ttf"},
    {".otf", "font/otf"},
    {".woff2", "font/woff2"},
    {".txt", "text/plain; charset=utf-8"},
    {".data", "application/octet-stream"},
}};

std::string_view mimeType(const fs::path& file) {
    std::string extension = file.extension().string();
    for (const auto& [suffix, type] : mimeTypes)
        if (extension == suffix) return type;
    return "application/octet-stream";
}

bool readFile(const fs::path& file, std::string& content) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return false;
    std::ostringstream text;
    text << in.rdbuf();
    content = text.str();
    return true;
}

bool accepts(const httplib::Request& request, std::string_view encoding) {
    return request.get_header_value("Accept-Encoding").find(encoding) != std::string::npos;
}

// The file under `root` named by the URL path, or empty when the path leaves the root, names
// something that is not a regular file, or hides a dot-file.
fs::path resolve(const fs::path& root, std::string path) {
    if (path.empty() || path.back() == '/') path += "index.html";
    fs::path relative = fs::path(path).relative_path();
    for (const fs::path& part : relative)
        if (part.string().empty() || part.string().front() == '.') return {};
    std::error_code error;
    fs::path file = fs::weakly_canonical(root / relative, error);
    if (error) return {};
    auto [end, ignored] = std::mismatch(root.begin(), root.end(), file.begin(), file.end());
    if (end != root.end() || !fs::is_regular_file(file, error)) return {};
    return file;
}

} // namespace

void addStaticRoutes(httplib::Server& server, const std::string& directory) {
    fs::path root = fs::canonical(directory);
    server.Get(".*", [root](const httplib::Request& req, httplib::Response& res) {
        fs::path file = resolve(root, req.path);
        std::string content;
        if (file.empty() || !readFile(file, content)) {
            res.status = 404;
            return;
        }
        std::string_view type = mimeType(file);
        // httplib compresses text types itself; WebAssembly is served from a precompressed
        // sibling (app.wasm.br / app.wasm.gz) when the build made one.
        if (type == "application/wasm") {
            res.set_header("Vary", "Accept-Encoding");
            for (auto [encoding, suffix] : {std::pair{"br", ".br"}, std::pair{"gzip", ".gz"}}) {
                std::string packed;
                if (accepts(req, encoding) && readFile(file.string() + suffix, packed)) {
                    res.set_header("Content-Encoding", encoding);
                    content = std::move(packed);
                    break;
                }
            }
        }
        res.set_header("Cache-Control", file.extension() == ".html" ? "no-cache" : "max-age=3600");
        res.set_content(std::move(content), std::string(type));
    });
}

} // namespace kamusm::server
