// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/common/result.h"

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace meshcraft::core::lab {

/// What a lab's progress file keeps (D23, D26): where the learner is, each step's guide state,
/// and the workspace files that differ from the lab's originals. Versioned.
struct SavedProgress
{
    static constexpr int CurrentVersion = 1;

    struct Step
    {
        std::string id;
        std::string state; ///< stepStateName()
        int failedChecks = 0;
        int hintsShown = 0;
        bool solutionShown = false;
        bool operator==(const Step &) const = default;
    };

    int version = CurrentVersion;
    std::string labId;
    int currentStep = 1;
    std::vector<Step> steps;
    /// Absolute virtual path -> content, for files the learner changed or created.
    std::map<std::string, std::string> files;
    /// Original files the learner removed.
    std::vector<std::string> removedFiles;
    bool operator==(const SavedProgress &) const = default;
};

/// JSON text; byte-stable for equal values.
std::string serializeProgress(const SavedProgress &progress);
/// Errors: lab.progress-unreadable, lab.progress-version (a newer version than we know).
common::Result<SavedProgress> parseProgress(std::string_view text);

/// Writes `text` to a temporary file beside `path`, flushes it, then renames it over `path`,
/// so a crash leaves the old file or the new one, never half of one. Creates the folders.
common::Result<void> writeFileAtomically(const std::filesystem::path &path, std::string_view text);

/// An exclusive advisory lock (flock) on a lab's state folder, held while the object lives, so
/// two sessions of one lab never race on its progress (D26). Released by the kernel if the
/// process dies.
class LabLock
{
public:
    /// Error lab.locked when another process (or session) holds it.
    static common::Result<LabLock> acquire(const std::filesystem::path &lockFile);
    LabLock(LabLock &&other) noexcept;
    LabLock &operator=(LabLock &&other) noexcept;
    LabLock(const LabLock &) = delete;
    LabLock &operator=(const LabLock &) = delete;
    ~LabLock();

private:
    explicit LabLock(int fd) : m_fd(fd) {}
    int m_fd = -1;
};

} // namespace meshcraft::core::lab
