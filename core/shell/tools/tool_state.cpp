// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/shell/tools/tool_state.h"

#include "core/config/resource.h"

#include <set>

namespace meshcraft::core::shell::tools {

ToolState::ToolState(World &world) : m_world(world)
{
    m_helmDeployedAt = world.now();
    syncCreationTimes();
}

ToolState::~ToolState()
{
    std::vector<std::thread> workers;
    {
        std::lock_guard lock(m_workersMutex);
        workers.swap(m_workers);
    }
    for (std::thread &worker : workers) {
        if (worker.joinable()) {
            worker.join();
        }
    }
}

void ToolState::syncCreationTimes()
{
    const auto now = m_world.now();
    std::set<config::ObjectKey> present;
    for (const config::KindInfo &info : config::knownKinds()) {
        for (const config::StoredObject *object : m_world.store().list(info.kind)) {
            const config::ObjectKey key = object->key();
            present.insert(key);
            m_created.try_emplace(key, now);
        }
    }
    for (auto it = m_created.begin(); it != m_created.end();) {
        it = present.count(it->first) ? std::next(it) : m_created.erase(it);
    }
    for (auto it = m_podFs.begin(); it != m_podFs.end();) {
        const std::size_t slash = it->first.find('/');
        const config::ObjectKey key{config::Kind::Pod, it->first.substr(0, slash),
                                    it->first.substr(slash + 1)};
        it = present.count(key) ? std::next(it) : m_podFs.erase(it);
    }
}

std::chrono::system_clock::time_point ToolState::createdAt(const config::ObjectKey &key)
{
    const auto it = m_created.find(key);
    if (it != m_created.end()) {
        return it->second;
    }
    const auto now = m_world.now();
    m_created.emplace(key, now);
    return now;
}

VirtualFs &ToolState::podFs(const std::string &nameSpace, const std::string &pod)
{
    auto &fs = m_podFs[nameSpace + '/' + pod];
    if (!fs) {
        fs = std::make_unique<VirtualFs>();
        (void)fs->makeDirectory("/root", true);
        (void)fs->makeDirectory("/tmp", true);
        (void)fs->makeDirectory("/etc", true);
        (void)fs->writeFile("/etc/hostname", pod + "\n");
    }
    return *fs;
}

void ToolState::runInBackground(std::function<void()> task)
{
    std::lock_guard lock(m_workersMutex);
    m_workers.emplace_back(std::move(task));
}

} // namespace meshcraft::core::shell::tools
