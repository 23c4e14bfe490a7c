#include "kamusm/server/api_error.hpp"
#include "kamusm/server/routes.hpp"

#include <zlib.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>

namespace kamusm::server {

namespace fs = std::filesystem;

namespace {

struct MimeType {
    std::string_view suffix;
    std::string_view type;
    bool compressible; // gzipped on the way when the client takes it
};

constexpr std::array<MimeType, 16> mimeTypes{{
    {".html", "text/html; charset=utf-8", true},
    {".js", "text/javascript; charset=utf-8", true},
    {".mjs", "text/javascript; charset=utf-8", true},
    {".wasm", "application/wasm", false},
    {".css", "text/css; charset=utf-8", true},
    {".json", "application/json", true},
    {".map", "application/json", true},
    {".webmanifest", "application/manifest+json", true},
    {".svg", "image/svg+xml", true},
    {".png", "image/png", false},
    {".ico", "image/x-icon", false},
    {".ttf", "font/ttf", true},
    {".otf", "font/otf", true},
    {".woff2", "font/woff2", false},
    {".txt", "text/plain; charset=utf-8", true},
    {".data", "application/octet-stream", false},
}};

const MimeType& mimeType(const fs::path& file) {
    static constexpr MimeType unknown{"", "application/octet-stream", false};
    std::string extension = file.extension().string();
    for (const MimeType& type : mimeTypes)
        if (extension == type.suffix) return type;
    return unknown;
}

std::string gzip(const std::string& data) {
    z_stream stream{};
    // windowBits 15 + 16: a gzip wrapper rather than zlib's.
    if (deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK)
        throw std::runtime_error("deflateInit2 failed");
    std::string out(deflateBound(&stream, data.size()), '\0');
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    stream.avail_in = static_cast<uInt>(data.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    int rc = deflate(&stream, Z_FINISH);
    out.resize(stream.total_out);
    deflateEnd(&stream);
    if (rc != Z_STREAM_END) throw std::runtime_error("deflate failed");
    return out;
}

// Files read once and kept (the app is a handful of files), read again when they change.
class FileCache {
public:
    struct Entry {
        fs::file_time_type modified;
        std::uintmax_t size = 0;
        std::shared_ptr<const std::string> content;
        std::shared_ptr<const std::string> gzipped; // made on first demand
    };

    std::optional<Entry> get(const fs::path& file, bool wantGzip) {
        std::error_code error;
        auto modified = fs::last_write_time(file, error);
        auto size = error ? 0 : fs::file_size(file, error);
        if (error) return std::nullopt;
        std::lock_guard lock(mutex_);
        Entry& entry = entries_[file];
        if (!entry.content || entry.modified != modified || entry.size != size) {
            std::ifstream in(file, std::ios::binary);
            if (!in) return std::nullopt;
            std::ostringstream text;
            text << in.rdbuf();
            entry = {modified, size, std::make_shared<const std::string>(text.str()), nullptr};
        }
        if (wantGzip && !entry.gzipped)
            entry.gzipped = std::make_shared<const std::string>(gzip(*entry.content));
        return entry;
    }

private:
    std::mutex mutex_;
    std::map<fs::path, Entry> entries_;
};

bool accepts(const Request& request, std::string_view encoding) {
    return request.header("Accept-Encoding").find(encoding) != std::string::npos;
}

// The file under `root` named by the URL path, or empty when the path leaves the root, names
// something that is not a regular file, or hides a dot-file. The HTTP layer has refused paths
// with control characters (a NUL among them) already.
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

void serve(FileCache& cache, const fs::path& root, const Request& req, Response& res) {
    fs::path file = resolve(root, req.path);
    const MimeType& type = mimeType(file);
    bool gzipIt = type.compressible && accepts(req, "gzip");
    std::optional<FileCache::Entry> entry = file.empty() ? std::nullopt : cache.get(file, gzipIt);
    if (!entry) throw ApiError(backend::Problem::NotFound, "no such resource");
    res.sharedBody = gzipIt ? entry->gzipped : entry->content;
    if (gzipIt) res.setHeader("Content-Encoding", "gzip");
    // WebAssembly is served from a precompressed sibling (app.wasm.br / app.wasm.gz) when the
    // build made one.
    if (type.suffix == ".wasm") {
        for (auto [encoding, suffix] : {std::pair{"br", ".br"}, std::pair{"gzip", ".gz"}}) {
            if (!accepts(req, encoding)) continue;
            if (auto packed = cache.get(file.string() + suffix, false)) {
                res.setHeader("Content-Encoding", encoding);
                res.sharedBody = packed->content;
                break;
            }
        }
    }
    if (type.compressible || type.suffix == ".wasm") res.setHeader("Vary", "Accept-Encoding");
    res.setHeader("Content-Type", std::string(type.type));
    res.setHeader("Cache-Control", file.extension() == ".html" ? "no-cache" : "max-age=3600");
}

} // namespace

void addStaticRoutes(Router& router, const std::string& directory) {
    fs::path root = fs::canonical(directory);
    auto cache = std::make_shared<FileCache>();
    router.add(Method::Get, ".*",
               [root, cache](const Request& req, Response& res) { serve(*cache, root, req, res); });
}

} // namespace kamusm::server
