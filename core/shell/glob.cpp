// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/shell/glob.h"

#include <algorithm>

namespace meshcraft::core::shell {

namespace {

bool isActive(std::string_view active, std::size_t i)
{
    return active.empty() || (i < active.size() && active[i] == '1');
}

/// Matches a bracket expression at pattern[i] ('['); sets `next` past its ']'. False (and
/// next = npos) when there is no closing ']', so '[' is then an ordinary char.
bool matchBracket(std::string_view pattern, std::size_t i, char c, std::size_t &next)
{
    std::size_t j = i + 1;
    bool negate = false;
    if (j < pattern.size() && (pattern[j] == '!' || pattern[j] == '^')) {
        negate = true;
        ++j;
    }
    bool matched = false;
    bool first = true;
    for (; j < pattern.size(); ++j) {
        if (pattern[j] == ']' && !first) {
            next = j + 1;
            return matched != negate;
        }
        first = false;
        if (j + 2 < pattern.size() && pattern[j + 1] == '-' && pattern[j + 2] != ']') {
            matched = matched || (c >= pattern[j] && c <= pattern[j + 2]);
            j += 2;
        } else {
            matched = matched || c == pattern[j];
        }
    }
    next = std::string_view::npos;
    return false;
}

bool matchFrom(std::string_view pattern, std::string_view active, std::size_t p,
               std::string_view name, std::size_t n)
{
    while (p < pattern.size()) {
        const char c = pattern[p];
        if (c == '*' && isActive(active, p)) {
            while (p < pattern.size() && pattern[p] == '*' && isActive(active, p)) {
                ++p;
            }
            if (p == pattern.size()) {
                return true;
            }
            for (std::size_t k = n; k <= name.size(); ++k) {
                if (matchFrom(pattern, active, p, name, k)) {
                    return true;
                }
            }
            return false;
        }
        if (n >= name.size()) {
            return false;
        }
        if (c == '?' && isActive(active, p)) {
            ++p;
            ++n;
            continue;
        }
        if (c == '[' && isActive(active, p)) {
            std::size_t next = 0;
            const bool matched = matchBracket(pattern, p, name[n], next);
            if (next != std::string_view::npos) {
                if (!matched) {
                    return false;
                }
                p = next;
                ++n;
                continue;
            }
        }
        if (c != name[n]) {
            return false;
        }
        ++p;
        ++n;
    }
    return n == name.size();
}

struct Component
{
    std::string text;
    std::string active;
};

void expandFrom(const VirtualFs &fs, const std::vector<Component> &components, std::size_t index,
                const std::string &dir, const std::string &shown, std::vector<std::string> &out)
{
    const Component &component = components[index];
    const bool last = index + 1 == components.size();
    const auto visit = [&](const std::string &name) {
        const std::string path = VirtualFs::resolve(dir, name);
        const std::string display = shown + name;
        if (last) {
            out.push_back(display);
        } else if (fs.isDirectory(path)) {
            expandFrom(fs, components, index + 1, path, display + "/", out);
        }
    };
    if (component.text.empty()) { // a trailing '/': folders only
        if (fs.isDirectory(dir)) {
            out.push_back(shown);
        }
        return;
    }
    if (!hasWildcard(component.text, component.active)) {
        if (fs.exists(VirtualFs::resolve(dir, component.text))) {
            visit(component.text);
        }
        return;
    }
    const auto entries = fs.list(dir);
    if (!entries || !fs.isDirectory(dir)) {
        return;
    }
    for (const DirEntry &entry : *entries) {
        if (globMatch(component.text, component.active, entry.name)) {
            visit(entry.name);
        }
    }
}

} // namespace

bool hasWildcard(std::string_view pattern, std::string_view active)
{
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        const char c = pattern[i];
        if ((c == '*' || c == '?' || c == '[') && isActive(active, i)) {
            return true;
        }
    }
    return false;
}

bool globMatch(std::string_view pattern, std::string_view active, std::string_view name)
{
    if (!name.empty() && name.front() == '.' && (pattern.empty() || pattern.front() != '.')) {
        return false;
    }
    return matchFrom(pattern, active, 0, name, 0);
}

std::vector<std::string> expandGlob(const VirtualFs &fs, std::string_view cwd,
                                    std::string_view pattern, std::string_view active)
{
    std::vector<std::string> out;
    if (pattern.empty()) {
        return out;
    }
    const bool absolute = pattern.front() == '/';
    std::vector<Component> components;
    std::size_t start = absolute ? 1 : 0;
    while (start <= pattern.size()) {
        std::size_t end = pattern.find('/', start);
        if (end == std::string_view::npos) {
            end = pattern.size();
        }
        Component component;
        component.text = std::string(pattern.substr(start, end - start));
        component.active = active.empty() ? std::string(component.text.size(), '1')
                                          : std::string(active.substr(start, end - start));
        // Repeated slashes are one separator; only a trailing one means "folders only".
        if (!component.text.empty() || end == pattern.size()) {
            components.push_back(std::move(component));
        }
        start = end + 1;
    }
    expandFrom(fs, components, 0, absolute ? std::string("/") : std::string(cwd),
               absolute ? std::string("/") : std::string(), out);
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace meshcraft::core::shell
