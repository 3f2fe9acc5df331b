// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/common/result.h"

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace meshcraft::core::shell {

enum class FsErrorCode {
    NotFound,      ///< ENOENT
    NotADirectory, ///< ENOTDIR
    IsADirectory,  ///< EISDIR
    AlreadyExists, ///< EEXIST
    NotEmpty,      ///< ENOTEMPTY
    InvalidPath,   ///< the root, or an empty path, where a name is needed
};

struct FsError
{
    FsErrorCode code;
    std::string path;

    /// The strerror()-style text tools print after the path: "No such file or directory".
    std::string_view description() const;
};

template <typename T> using FsResult = tl::expected<T, FsError>;

struct DirEntry
{
    std::string name;
    bool isDirectory = false;
    std::size_t size = 0;
};

struct FsChange
{
    enum class Kind { Created, Modified, Removed, Restored };
    Kind kind;
    std::string path; ///< Absolute; "/" for Restored.
    bool isDirectory = false;
};

/// Told about every change, synchronously, on the thread that made it.
class VirtualFsObserver
{
public:
    virtual ~VirtualFsObserver() = default;
    virtual void onFsChanged(const FsChange &change) = 0;
};

/// The whole tree as values: what save/restore and a lab reset keep.
struct FsSnapshot
{
    struct Entry
    {
        std::string path;
        bool isDirectory = false;
        std::string content;
        bool operator==(const Entry &) const = default;
    };
    std::vector<Entry> entries; ///< Sorted by path; the root is implied.
    bool operator==(const FsSnapshot &) const = default;
};

/// A byte-exact text form of a snapshot, for the progress file.
std::string serializeSnapshot(const FsSnapshot &snapshot);
common::Result<FsSnapshot> deserializeSnapshot(std::string_view text);

/// The terminal's files (D11): an in-memory tree of folders and files. It never touches the
/// host's filesystem. Paths are absolute and '/'-separated; relative ones are taken from "/".
class VirtualFs
{
public:
    VirtualFs();

    /// Lexically normalised absolute path: "." and ".." resolved, repeated slashes removed.
    /// ".." above the root stays at the root, as in POSIX.
    static std::string normalize(std::string_view path);
    /// Resolves `path` against `cwd` (already absolute). Tilde expansion is the shell's job.
    static std::string resolve(std::string_view cwd, std::string_view path);
    static std::string parentOf(std::string_view absolutePath);
    static std::string baseName(std::string_view path);

    bool exists(std::string_view path) const;
    bool isFile(std::string_view path) const;
    bool isDirectory(std::string_view path) const;

    FsResult<std::string> readFile(std::string_view path) const;
    /// Creates or truncates a file. The parent folder must exist, unless `createParents` (the
    /// lab loader putting its files in place).
    FsResult<void> writeFile(std::string_view path, std::string content,
                             bool createParents = false);
    FsResult<void> appendFile(std::string_view path, std::string_view text);
    FsResult<void> makeDirectory(std::string_view path, bool parents = false);
    FsResult<void> remove(std::string_view path, bool recursive = false);
    FsResult<void> rename(std::string_view from, std::string_view to);
    /// Sorted by name, without "." and "..". A file lists as itself.
    FsResult<std::vector<DirEntry>> list(std::string_view path) const;

    FsSnapshot snapshot() const;
    void restore(const FsSnapshot &snapshot);

    void addObserver(VirtualFsObserver *observer);
    void removeObserver(VirtualFsObserver *observer);

private:
    struct Node
    {
        bool isDirectory = false;
        std::string content;
    };
    using NodeMap = std::map<std::string, Node, std::less<>>;

    FsResult<void> checkParent(const std::string &path) const;
    void notify(FsChange::Kind kind, const std::string &path, bool isDirectory) const;
    NodeMap::const_iterator childrenBegin(const std::string &dir) const;
    static bool isInside(std::string_view path, std::string_view dir);

    NodeMap m_nodes;
    std::vector<VirtualFsObserver *> m_observers;
};

} // namespace meshcraft::core::shell
