// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/shell/virtual_fs.h"

#include "core/common/text.h"

#include <algorithm>
#include <charconv>

namespace meshcraft::core::shell {

namespace {
constexpr std::string_view SnapshotHeader = "meshcraft-vfs 1\n";

tl::unexpected<FsError> fsFail(FsErrorCode code, std::string_view path)
{
    return tl::unexpected<FsError>(FsError{code, std::string(path)});
}
} // namespace

std::string_view FsError::description() const
{
    switch (code) {
    case FsErrorCode::NotFound:
        return "No such file or directory";
    case FsErrorCode::NotADirectory:
        return "Not a directory";
    case FsErrorCode::IsADirectory:
        return "Is a directory";
    case FsErrorCode::AlreadyExists:
        return "File exists";
    case FsErrorCode::NotEmpty:
        return "Directory not empty";
    case FsErrorCode::InvalidPath:
        return "Invalid argument";
    }
    return "Input/output error";
}

VirtualFs::VirtualFs()
{
    m_nodes.emplace("/", Node{true, {}});
}

std::string VirtualFs::normalize(std::string_view path)
{
    std::vector<std::string_view> parts;
    std::size_t pos = 0;
    while (pos <= path.size()) {
        const std::size_t slash = std::min(path.find('/', pos), path.size());
        const std::string_view part = path.substr(pos, slash - pos);
        if (part == "..") {
            if (!parts.empty()) {
                parts.pop_back();
            }
        } else if (!part.empty() && part != ".") {
            parts.push_back(part);
        }
        pos = slash + 1;
    }
    std::string result;
    for (const std::string_view part : parts) {
        result += '/';
        result += part;
    }
    return result.empty() ? std::string("/") : result;
}

std::string VirtualFs::resolve(std::string_view cwd, std::string_view path)
{
    if (!path.empty() && path.front() == '/') {
        return normalize(path);
    }
    std::string joined(cwd.empty() ? std::string_view("/") : cwd);
    joined += '/';
    joined += path;
    return normalize(joined);
}

std::string VirtualFs::parentOf(std::string_view absolutePath)
{
    const std::string normal = normalize(absolutePath);
    const std::size_t slash = normal.rfind('/');
    return slash == 0 ? std::string("/") : normal.substr(0, slash);
}

std::string VirtualFs::baseName(std::string_view path)
{
    while (path.size() > 1 && path.back() == '/') {
        path.remove_suffix(1);
    }
    const std::size_t slash = path.rfind('/');
    if (slash == std::string_view::npos || path.size() == 1) {
        return std::string(path);
    }
    return std::string(path.substr(slash + 1));
}

bool VirtualFs::isInside(std::string_view path, std::string_view dir)
{
    if (dir == "/") {
        return path.size() > 1 && path.front() == '/';
    }
    return path.size() > dir.size() + 1 && path.substr(0, dir.size()) == dir &&
           path[dir.size()] == '/';
}

VirtualFs::NodeMap::const_iterator VirtualFs::childrenBegin(const std::string &dir) const
{
    return dir == "/" ? m_nodes.upper_bound(dir) : m_nodes.lower_bound(dir + "/");
}

bool VirtualFs::exists(std::string_view path) const
{
    return m_nodes.find(normalize(path)) != m_nodes.end();
}

bool VirtualFs::isFile(std::string_view path) const
{
    const auto it = m_nodes.find(normalize(path));
    return it != m_nodes.end() && !it->second.isDirectory;
}

bool VirtualFs::isDirectory(std::string_view path) const
{
    const auto it = m_nodes.find(normalize(path));
    return it != m_nodes.end() && it->second.isDirectory;
}

FsResult<void> VirtualFs::checkParent(const std::string &path) const
{
    if (path == "/") {
        return fsFail(FsErrorCode::InvalidPath, path);
    }
    // The nearest existing ancestor decides: a file there is ENOTDIR, a gap is ENOENT.
    bool direct = true;
    for (std::string ancestor = parentOf(path);; ancestor = parentOf(ancestor)) {
        const auto it = m_nodes.find(ancestor);
        if (it != m_nodes.end()) {
            if (!it->second.isDirectory) {
                return fsFail(FsErrorCode::NotADirectory, path);
            }
            return direct ? FsResult<void>() : fsFail(FsErrorCode::NotFound, path);
        }
        direct = false;
    }
}

FsResult<std::string> VirtualFs::readFile(std::string_view path) const
{
    const std::string normal = normalize(path);
    const auto it = m_nodes.find(normal);
    if (it == m_nodes.end()) {
        if (auto parent = checkParent(normal); !parent) {
            return tl::unexpected(parent.error());
        }
        return fsFail(FsErrorCode::NotFound, normal);
    }
    if (it->second.isDirectory) {
        return fsFail(FsErrorCode::IsADirectory, normal);
    }
    return it->second.content;
}

FsResult<void> VirtualFs::writeFile(std::string_view path, std::string content, bool createParents)
{
    const std::string normal = normalize(path);
    if (createParents && normal != "/" && !exists(parentOf(normal))) {
        // Errors (a file in the way) are reported by the checks below, as ENOTDIR.
        (void)makeDirectory(parentOf(normal), true);
    }
    const auto it = m_nodes.find(normal);
    if (it != m_nodes.end()) {
        if (it->second.isDirectory) {
            return fsFail(FsErrorCode::IsADirectory, normal);
        }
        it->second.content = std::move(content);
        notify(FsChange::Kind::Modified, normal, false);
        return {};
    }
    if (auto parent = checkParent(normal); !parent) {
        return parent;
    }
    m_nodes.emplace(normal, Node{false, std::move(content)});
    notify(FsChange::Kind::Created, normal, false);
    return {};
}

FsResult<void> VirtualFs::appendFile(std::string_view path, std::string_view text)
{
    const std::string normal = normalize(path);
    const auto it = m_nodes.find(normal);
    if (it == m_nodes.end()) {
        return writeFile(normal, std::string(text));
    }
    if (it->second.isDirectory) {
        return fsFail(FsErrorCode::IsADirectory, normal);
    }
    it->second.content += text;
    notify(FsChange::Kind::Modified, normal, false);
    return {};
}

FsResult<void> VirtualFs::makeDirectory(std::string_view path, bool parents)
{
    const std::string normal = normalize(path);
    if (const auto it = m_nodes.find(normal); it != m_nodes.end()) {
        if (parents && it->second.isDirectory) {
            return {};
        }
        return fsFail(FsErrorCode::AlreadyExists, normal);
    }
    if (parents) {
        const std::string parent = parentOf(normal);
        if (parent != "/" && !isDirectory(parent)) {
            if (auto made = makeDirectory(parent, true); !made) {
                return fsFail(made.error().code, normal);
            }
        }
    }
    if (auto parent = checkParent(normal); !parent) {
        return parent;
    }
    m_nodes.emplace(normal, Node{true, {}});
    notify(FsChange::Kind::Created, normal, true);
    return {};
}

FsResult<void> VirtualFs::remove(std::string_view path, bool recursive)
{
    const std::string normal = normalize(path);
    const auto it = m_nodes.find(normal);
    if (it == m_nodes.end()) {
        return fsFail(FsErrorCode::NotFound, normal);
    }
    if (normal == "/") {
        return fsFail(FsErrorCode::InvalidPath, normal);
    }
    const bool directory = it->second.isDirectory;
    if (directory) {
        auto child = childrenBegin(normal);
        const bool hasChildren = child != m_nodes.end() && isInside(child->first, normal);
        if (hasChildren && !recursive) {
            return fsFail(FsErrorCode::NotEmpty, normal);
        }
        std::vector<std::pair<std::string, bool>> removed;
        for (; child != m_nodes.end() && isInside(child->first, normal); ++child) {
            removed.emplace_back(child->first, child->second.isDirectory);
        }
        // Deepest first, so observers never see a child outlive its folder.
        for (auto r = removed.rbegin(); r != removed.rend(); ++r) {
            m_nodes.erase(r->first);
            notify(FsChange::Kind::Removed, r->first, r->second);
        }
    }
    m_nodes.erase(normal);
    notify(FsChange::Kind::Removed, normal, directory);
    return {};
}

FsResult<void> VirtualFs::rename(std::string_view from, std::string_view to)
{
    const std::string source = normalize(from);
    std::string target = normalize(to);
    const auto it = m_nodes.find(source);
    if (it == m_nodes.end() || source == "/") {
        return fsFail(FsErrorCode::NotFound, source);
    }
    if (isDirectory(target)) {
        target = resolve(target, baseName(source));
    }
    if (target == source) {
        return {};
    }
    if (isInside(target, source)) {
        return fsFail(FsErrorCode::InvalidPath, target);
    }
    if (auto parent = checkParent(target); !parent) {
        return parent;
    }
    if (isDirectory(target)) {
        return fsFail(FsErrorCode::IsADirectory, target);
    }
    std::vector<std::pair<std::string, Node>> moved;
    moved.emplace_back(target, it->second);
    for (auto child = childrenBegin(source);
         child != m_nodes.end() && isInside(child->first, source); ++child) {
        moved.emplace_back(target + child->first.substr(source.size()), child->second);
    }
    if (auto removed = remove(source, true); !removed) {
        return removed;
    }
    m_nodes.erase(target);
    for (auto &[path, node] : moved) {
        const bool directory = node.isDirectory;
        m_nodes.insert_or_assign(path, std::move(node));
        notify(FsChange::Kind::Created, path, directory);
    }
    return {};
}

FsResult<std::vector<DirEntry>> VirtualFs::list(std::string_view path) const
{
    const std::string normal = normalize(path);
    const auto it = m_nodes.find(normal);
    if (it == m_nodes.end()) {
        return fsFail(FsErrorCode::NotFound, normal);
    }
    std::vector<DirEntry> entries;
    if (!it->second.isDirectory) {
        entries.push_back(DirEntry{baseName(normal), false, it->second.content.size()});
        return entries;
    }
    const std::size_t prefix = normal == "/" ? 1 : normal.size() + 1;
    for (auto child = childrenBegin(normal);
         child != m_nodes.end() && isInside(child->first, normal); ++child) {
        const std::string_view rest = std::string_view(child->first).substr(prefix);
        if (rest.find('/') == std::string_view::npos) {
            entries.push_back(DirEntry{std::string(rest), child->second.isDirectory,
                                       child->second.content.size()});
        }
    }
    std::sort(entries.begin(), entries.end(),
              [](const DirEntry &a, const DirEntry &b) { return a.name < b.name; });
    return entries;
}

FsSnapshot VirtualFs::snapshot() const
{
    FsSnapshot result;
    for (const auto &[path, node] : m_nodes) {
        if (path != "/") {
            result.entries.push_back(FsSnapshot::Entry{path, node.isDirectory, node.content});
        }
    }
    return result;
}

void VirtualFs::restore(const FsSnapshot &snapshot)
{
    m_nodes.clear();
    m_nodes.emplace("/", Node{true, {}});
    for (const FsSnapshot::Entry &entry : snapshot.entries) {
        const std::string path = normalize(entry.path);
        // Folders a snapshot leaves implicit are created, so any entry order restores.
        for (std::string parent = parentOf(path); parent != "/"; parent = parentOf(parent)) {
            m_nodes.try_emplace(parent, Node{true, {}});
        }
        if (path != "/") {
            m_nodes.insert_or_assign(path, Node{entry.isDirectory, entry.content});
        }
    }
    notify(FsChange::Kind::Restored, "/", true);
}

void VirtualFs::addObserver(VirtualFsObserver *observer)
{
    if (observer &&
        std::find(m_observers.begin(), m_observers.end(), observer) == m_observers.end()) {
        m_observers.push_back(observer);
    }
}

void VirtualFs::removeObserver(VirtualFsObserver *observer)
{
    m_observers.erase(std::remove(m_observers.begin(), m_observers.end(), observer),
                      m_observers.end());
}

void VirtualFs::notify(FsChange::Kind kind, const std::string &path, bool isDirectory) const
{
    const FsChange change{kind, path, isDirectory};
    // A copy: an observer may unregister itself from inside the callback.
    const std::vector<VirtualFsObserver *> observers = m_observers;
    for (VirtualFsObserver *observer : observers) {
        observer->onFsChanged(change);
    }
}

std::string serializeSnapshot(const FsSnapshot &snapshot)
{
    std::string out(SnapshotHeader);
    for (const FsSnapshot::Entry &entry : snapshot.entries) {
        if (entry.isDirectory) {
            out += "D " + entry.path + "\n";
        } else {
            out += "F " + std::to_string(entry.content.size()) + " " + entry.path + "\n";
            out += entry.content;
            out += '\n';
        }
    }
    return out;
}

common::Result<FsSnapshot> deserializeSnapshot(std::string_view text)
{
    if (!common::startsWith(text, SnapshotHeader)) {
        return common::fail("shell.snapshot-header", "not a Meshcraft file snapshot");
    }
    FsSnapshot snapshot;
    std::size_t pos = SnapshotHeader.size();
    while (pos < text.size()) {
        const std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) {
            return common::fail("shell.snapshot-truncated", "the file snapshot is truncated");
        }
        const std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        if (common::startsWith(line, "D /")) {
            snapshot.entries.push_back({std::string(line.substr(2)), true, {}});
            continue;
        }
        const std::size_t space = line.find(' ', 2);
        std::size_t size = 0;
        const char *first = line.data() + 2;
        const char *last = line.data() + std::min(space, line.size());
        if (!common::startsWith(line, "F ") || space == std::string_view::npos ||
            std::from_chars(first, last, size).ptr != last || text.size() - pos < size + 1 ||
            text[pos + size] != '\n') {
            return common::fail("shell.snapshot-entry",
                                "bad entry in the file snapshot: " + std::string(line));
        }
        snapshot.entries.push_back(
            {std::string(line.substr(space + 1)), false, std::string(text.substr(pos, size))});
        pos += size + 1;
    }
    return snapshot;
}

} // namespace meshcraft::core::shell
