#include "kamusm/server/api_error.hpp"
#include "kamusm/server/routes.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdlib>
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

// Whether Accept-Encoding names `encoding` (or "*") without q=0, e.g. "gzip, deflate, br".
bool accepts(const Request& request, std::string_view encoding) {
    const std::string header = request.header("Accept-Encoding");
    std::string_view rest = header;
    while (!rest.empty()) {
        const std::size_t comma = rest.find(',');
        std::string_view item = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        const std::size_t semicolon = item.find(';');
        std::string_view name = item.substr(0, semicolon);
        std::string_view params =
            semicolon == std::string_view::npos ? std::string_view{} : item.substr(semicolon + 1);
        name.remove_prefix(std::min(name.find_first_not_of(' '), name.size()));
        name = name.substr(0, name.find(' '));
        if (name != encoding && name != "*") continue;
        // "q=0" (or 0.0, 0.000): refused; any other weight accepts.
        const std::size_t q = params.find("q=");
        return q == std::string_view::npos ||
               std::strtod(std::string(params.substr(q + 2)).c_str(), nullptr) > 0.0;
    }
    return false;
}

// The build's precompressed siblings (tests/build-web.sh writes app.wasm.br and app.wasm.gz next
// to app.wasm), best first. A sibling older than its file is stale and not used.
struct Sibling {
    std::string_view encoding;
    std::string_view suffix;
};
constexpr std::array<Sibling, 2> siblings{{{"br", ".br"}, {"gzip", ".gz"}}};

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

// Absent (or unreadable) siblings and stale ones do not count.
bool freshSibling(const fs::path& packed, const fs::path& file) {
    std::error_code packedError, fileError;
    const auto packedTime = fs::last_write_time(packed, packedError);
    const auto fileTime = fs::last_write_time(file, fileError);
    return !packedError && !fileError && packedTime >= fileTime;
}

void serve(FileCache& cache, const fs::path& root, const Request& req, Response& res) {
    fs::path file = resolve(root, req.path);
    if (file.empty()) throw ApiError(backend::Problem::NotFound, "no such resource");
    const MimeType& type = mimeType(file);
    bool varies = type.compressible;
    for (const Sibling& sibling : siblings) {
        const fs::path packed = file.string() + std::string(sibling.suffix);
        if (!freshSibling(packed, file)) continue;
        varies = true;
        if (!accepts(req, sibling.encoding)) continue;
        if (auto entry = cache.get(packed, false)) {
            res.setHeader("Content-Encoding", std::string(sibling.encoding));
            res.sharedBody = entry->content;
            break;
        }
    }
    if (!res.sharedBody) {
        // No sibling taken: text is gzipped on the way when the client takes it.
        bool gzipIt = type.compressible && accepts(req, "gzip");
        std::optional<FileCache::Entry> entry = cache.get(file, gzipIt);
        if (!entry) throw ApiError(backend::Problem::NotFound, "no such resource");
        res.sharedBody = gzipIt ? entry->gzipped : entry->content;
        if (gzipIt) res.setHeader("Content-Encoding", "gzip");
    }
    if (varies) res.setHeader("Vary", "Accept-Encoding");
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
