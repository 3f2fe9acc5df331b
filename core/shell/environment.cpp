// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/shell/environment.h"

namespace meshcraft::core::shell {

std::optional<std::string> Environment::get(std::string_view name) const
{
    const auto it = m_vars.find(name);
    if (it == m_vars.end()) {
        return std::nullopt;
    }
    return it->second.value;
}

std::string Environment::value(std::string_view name) const
{
    return get(name).value_or(std::string());
}

bool Environment::contains(std::string_view name) const
{
    return m_vars.find(name) != m_vars.end();
}

bool Environment::isExported(std::string_view name) const
{
    const auto it = m_vars.find(name);
    return it != m_vars.end() && it->second.exported;
}

void Environment::set(std::string_view name, std::string value)
{
    const auto it = m_vars.find(name);
    if (it == m_vars.end()) {
        m_vars.emplace(std::string(name), Variable{std::move(value), false});
    } else {
        it->second.value = std::move(value);
    }
}

void Environment::exportVariable(std::string_view name, std::string value)
{
    m_vars[std::string(name)] = Variable{std::move(value), true};
}

void Environment::markExported(std::string_view name)
{
    m_vars[std::string(name)].exported = true;
}

void Environment::unset(std::string_view name)
{
    const auto it = m_vars.find(name);
    if (it != m_vars.end()) {
        m_vars.erase(it);
    }
}

std::vector<std::pair<std::string, std::string>> Environment::exported() const
{
    std::vector<std::pair<std::string, std::string>> result;
    for (const auto &[name, variable] : m_vars) {
        if (variable.exported) {
            result.emplace_back(name, variable.value);
        }
    }
    return result;
}

bool Environment::isValidName(std::string_view name)
{
    if (name.empty()) {
        return false;
    }
    const auto isAlpha = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    };
    if (!isAlpha(name.front())) {
        return false;
    }
    for (const char c : name) {
        if (!isAlpha(c) && !(c >= '0' && c <= '9')) {
            return false;
        }
    }
    return true;
}

} // namespace meshcraft::core::shell
