// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/command.h"

#include <algorithm>
#include <ostream>

namespace meshcraft::app::cli {

namespace {
bool contains(const std::vector<std::string> &list, const std::string &item)
{
    return std::find(list.begin(), list.end(), item) != list.end();
}
} // namespace

OptionParser::OptionParser(const std::vector<std::string> &args, std::vector<std::string> flags,
                           std::vector<std::string> valued)
{
    bool onlyPositionals = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string &arg = args[i];
        if (onlyPositionals || arg == "-" || arg.size() < 2 || arg[0] != '-') {
            m_positionals.push_back(arg);
            continue;
        }
        if (arg == "--") {
            onlyPositionals = true;
            continue;
        }
        std::string key = arg;
        std::optional<std::string> inlineValue;
        if (const auto eq = arg.find('='); eq != std::string::npos && arg.rfind("--", 0) == 0) {
            key = arg.substr(0, eq);
            inlineValue = arg.substr(eq + 1);
        }
        if (contains(flags, key) && !inlineValue) {
            m_options.emplace_back(key, "");
        } else if (contains(valued, key)) {
            if (inlineValue) {
                m_options.emplace_back(key, *inlineValue);
            } else if (i + 1 < args.size()) {
                m_options.emplace_back(key, args[++i]);
            } else {
                m_error = "option " + key + " needs a value";
                return;
            }
        } else {
            m_error = "unknown option " + key;
            return;
        }
    }
}

bool OptionParser::has(const std::string &flag) const
{
    return std::any_of(m_options.begin(), m_options.end(),
                       [&](const auto &option) { return option.first == flag; });
}

std::optional<std::string> OptionParser::value(const std::string &key) const
{
    for (auto it = m_options.rbegin(); it != m_options.rend(); ++it) {
        if (it->first == key) {
            return it->second;
        }
    }
    return std::nullopt;
}

std::vector<std::string> OptionParser::values(const std::string &key) const
{
    std::vector<std::string> out;
    for (const auto &option : m_options) {
        if (option.first == key) {
            out.push_back(option.second);
        }
    }
    return out;
}

int usageError(Invocation &invocation, const char *command, const std::string &message)
{
    invocation.err << "meshcraft " << command << ": " << message << "\n"
                   << "Run 'meshcraft " << command << " --help' for usage.\n";
    return ExitUsage;
}

} // namespace meshcraft::app::cli
