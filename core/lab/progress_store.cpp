// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/lab/progress_store.h"

#include "core/config/yaml_loader.h"
#include "core/config/yaml_node.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <system_error>
#include <unistd.h>

namespace meshcraft::core::lab {

namespace {

using config::Node;

Node text(const std::string &value)
{
    return Node::makeScalar(value, true);
}

Node number(int value)
{
    return Node::makeScalar(std::to_string(value));
}

Node boolean(bool value)
{
    return Node::makeScalar(value ? "true" : "false");
}

int intOf(const Node &map, std::string_view key, int fallback = 0)
{
    const Node *value = map.find(key);
    return value ? static_cast<int>(value->asInt().value_or(fallback)) : fallback;
}

std::string stringOf(const Node &map, std::string_view key)
{
    const Node *value = map.find(key);
    return value && value->isScalar() ? value->scalar : std::string();
}

std::string errnoText(int error)
{
    return std::system_category().message(error);
}

} // namespace

std::string serializeProgress(const SavedProgress &progress)
{
    Node root = Node::makeMap();
    root.set("version", number(progress.version));
    root.set("lab", text(progress.labId));
    root.set("currentStep", number(progress.currentStep));
    Node steps = Node::makeSequence();
    for (const SavedProgress::Step &step : progress.steps) {
        Node s = Node::makeMap();
        s.set("id", text(step.id));
        s.set("state", text(step.state));
        s.set("failedChecks", number(step.failedChecks));
        s.set("hintsShown", number(step.hintsShown));
        s.set("solutionShown", boolean(step.solutionShown));
        steps.items.push_back(std::move(s));
    }
    root.set("steps", std::move(steps));
    Node files = Node::makeMap();
    for (const auto &[path, content] : progress.files) {
        files.set(path, text(content));
    }
    root.set("files", std::move(files));
    Node removed = Node::makeSequence();
    for (const std::string &path : progress.removedFiles) {
        removed.items.push_back(text(path));
    }
    root.set("removedFiles", std::move(removed));
    return config::toJson(root) + "\n";
}

common::Result<SavedProgress> parseProgress(std::string_view json)
{
    const config::YamlLoadResult loaded = config::loadYaml(json, "progress.json");
    if (!loaded.diagnostics.empty() || loaded.documents.size() != 1 ||
        !loaded.documents[0].root.isMap()) {
        return common::fail("lab.progress-unreadable", "the progress file is not readable");
    }
    const Node &root = loaded.documents[0].root;
    SavedProgress progress;
    progress.version = intOf(root, "version", 0);
    if (progress.version < 1 || progress.version > SavedProgress::CurrentVersion) {
        return common::fail("lab.progress-version",
                            "the progress file has version " + std::to_string(progress.version) +
                                ", this Meshcraft reads version " +
                                std::to_string(SavedProgress::CurrentVersion));
    }
    progress.labId = stringOf(root, "lab");
    progress.currentStep = intOf(root, "currentStep", 1);
    if (const Node *steps = root.find("steps"); steps && steps->isSequence()) {
        for (const Node &s : steps->items) {
            SavedProgress::Step step;
            step.id = stringOf(s, "id");
            step.state = stringOf(s, "state");
            step.failedChecks = intOf(s, "failedChecks");
            step.hintsShown = intOf(s, "hintsShown");
            const Node *shown = s.find("solutionShown");
            step.solutionShown = shown && shown->asBool().value_or(false);
            progress.steps.push_back(std::move(step));
        }
    }
    if (const Node *files = root.find("files"); files && files->isMap()) {
        for (const config::MapEntry &entry : files->entries) {
            progress.files[entry.key] = entry.value.scalar;
        }
    }
    if (const Node *removed = root.find("removedFiles"); removed && removed->isSequence()) {
        for (const Node &path : removed->items) {
            progress.removedFiles.push_back(path.scalar);
        }
    }
    return progress;
}

common::Result<void> writeFileAtomically(const std::filesystem::path &path, std::string_view data)
{
    std::error_code error;
    if (!path.parent_path().empty()) {
        std::filesystem::create_directories(path.parent_path(), error);
    }
    if (error) {
        return common::fail("lab.save-failed", "cannot create " + path.parent_path().string() +
                                                   ": " + error.message());
    }
    const std::string temporary = path.string() + ".tmp." + std::to_string(::getpid());
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        return common::fail("lab.save-failed",
                            "cannot write " + temporary + ": " + errnoText(errno));
    }
    std::size_t written = 0;
    while (written < data.size()) {
        const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            const int saved = errno;
            ::close(fd);
            ::unlink(temporary.c_str());
            return common::fail("lab.save-failed",
                                "cannot write " + temporary + ": " + errnoText(saved));
        }
        written += static_cast<std::size_t>(n);
    }
    // The data must be on disk before the rename makes it the file.
    const bool synced = ::fsync(fd) == 0;
    ::close(fd);
    if (!synced || ::rename(temporary.c_str(), path.c_str()) != 0) {
        const int saved = errno;
        ::unlink(temporary.c_str());
        return common::fail("lab.save-failed",
                            "cannot replace " + path.string() + ": " + errnoText(saved));
    }
    return {};
}

common::Result<LabLock> LabLock::acquire(const std::filesystem::path &lockFile)
{
    std::error_code error;
    std::filesystem::create_directories(lockFile.parent_path(), error);
    const int fd = ::open(lockFile.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        return common::fail("lab.lock-failed",
                            "cannot open " + lockFile.string() + ": " + errnoText(errno));
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int saved = errno;
        ::close(fd);
        if (saved == EWOULDBLOCK) {
            return common::fail("lab.locked", "the lab is open in another Meshcraft session (" +
                                                  lockFile.string() + ")");
        }
        return common::fail("lab.lock-failed",
                            "cannot lock " + lockFile.string() + ": " + errnoText(saved));
    }
    return LabLock(fd);
}

LabLock::LabLock(LabLock &&other) noexcept : m_fd(other.m_fd)
{
    other.m_fd = -1;
}

LabLock &LabLock::operator=(LabLock &&other) noexcept
{
    if (this != &other) {
        if (m_fd >= 0) {
            ::close(m_fd);
        }
        m_fd = other.m_fd;
        other.m_fd = -1;
    }
    return *this;
}

LabLock::~LabLock()
{
    if (m_fd >= 0) {
        ::close(m_fd); // closing the descriptor releases the flock
    }
}

} // namespace meshcraft::core::lab
