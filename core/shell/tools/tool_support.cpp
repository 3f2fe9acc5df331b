// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/shell/tools/tool_support.h"

#include <algorithm>
#include <cstdint>
#include <ctime>

namespace meshcraft::core::shell::tools {

bool ParsedArgs::has(std::string_view name) const
{
    return flags.find(std::string(name)) != flags.end();
}

std::string ParsedArgs::value(std::string_view name, std::string fallback) const
{
    const auto it = flags.find(std::string(name));
    return it == flags.end() || it->second.empty() ? fallback : it->second.back();
}

std::vector<std::string> ParsedArgs::values(std::string_view name) const
{
    const auto it = flags.find(std::string(name));
    return it == flags.end() ? std::vector<std::string>{} : it->second;
}

bool ParsedArgs::isSet(std::string_view name) const
{
    const auto it = flags.find(std::string(name));
    return it != flags.end() && !it->second.empty() && it->second.back() != "false";
}

common::Result<ParsedArgs> parseFlags(const std::vector<std::string> &args,
                                      const std::vector<FlagDef> &defs)
{
    const auto byName = [&](std::string_view name) -> const FlagDef * {
        for (const FlagDef &def : defs) {
            if (def.name == name) {
                return &def;
            }
        }
        return nullptr;
    };
    const auto byShorthand = [&](char c) -> const FlagDef * {
        for (const FlagDef &def : defs) {
            if (def.shorthand == c) {
                return &def;
            }
        }
        return nullptr;
    };

    ParsedArgs parsed;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string &arg = args[i];
        if (parsed.sawDash) {
            parsed.afterDash.push_back(arg);
            continue;
        }
        if (arg == "--") {
            parsed.sawDash = true;
            continue;
        }
        if (arg.size() > 2 && arg.starts_with("--")) {
            const std::size_t equals = arg.find('=');
            const std::string name =
                arg.substr(2, equals == std::string::npos ? std::string::npos : equals - 2);
            const FlagDef *def = byName(name);
            if (!def) {
                return common::fail("flag.unknown", "unknown flag: --" + name);
            }
            if (equals != std::string::npos) {
                parsed.flags[def->name].push_back(arg.substr(equals + 1));
            } else if (!def->takesValue) {
                parsed.flags[def->name].push_back("true");
            } else if (i + 1 < args.size()) {
                parsed.flags[def->name].push_back(args[++i]);
            } else {
                return common::fail("flag.needs-argument", "flag needs an argument: --" + name);
            }
            continue;
        }
        if (arg.size() > 1 && arg[0] == '-') {
            for (std::size_t j = 1; j < arg.size(); ++j) {
                const FlagDef *def = byShorthand(arg[j]);
                if (!def) {
                    return common::fail("flag.unknown", std::string("unknown shorthand flag: '") +
                                                            arg[j] + "' in " + arg);
                }
                if (!def->takesValue) {
                    parsed.flags[def->name].push_back("true");
                    continue;
                }
                std::string rest = arg.substr(j + 1);
                if (!rest.empty() && rest[0] == '=') {
                    rest.erase(0, 1);
                }
                if (!rest.empty()) {
                    parsed.flags[def->name].push_back(rest);
                } else if (i + 1 < args.size()) {
                    parsed.flags[def->name].push_back(args[++i]);
                } else {
                    return common::fail("flag.needs-argument",
                                        std::string("flag needs an argument: '") + arg[j] +
                                            "' in -" + arg[j]);
                }
                break;
            }
            continue;
        }
        parsed.positionals.push_back(arg);
    }
    return parsed;
}

std::string formatTable(const std::vector<std::vector<std::string>> &rows, int padding,
                        int minWidth)
{
    std::vector<std::size_t> widths;
    for (const auto &row : rows) {
        for (std::size_t c = 0; c + 1 < row.size(); ++c) {
            if (widths.size() <= c) {
                widths.resize(c + 1, 0);
            }
            widths[c] = std::max(widths[c], row[c].size());
        }
    }
    std::string out;
    for (const auto &row : rows) {
        std::string line;
        for (std::size_t c = 0; c < row.size(); ++c) {
            line += row[c];
            if (c + 1 < row.size()) {
                const std::size_t width = std::max(widths[c] + static_cast<std::size_t>(padding),
                                                   static_cast<std::size_t>(minWidth));
                line.append(width - row[c].size(), ' ');
            }
        }
        out += line + '\n';
    }
    return out;
}

std::string humanDuration(std::chrono::system_clock::duration duration)
{
    using namespace std::chrono;
    const auto seconds = duration_cast<std::chrono::seconds>(duration).count();
    if (seconds < 0) {
        return "0s";
    }
    if (seconds < 60 * 2) {
        return std::to_string(seconds) + "s";
    }
    const auto minutes = seconds / 60;
    if (minutes < 10) {
        const auto s = seconds % 60;
        return std::to_string(minutes) + "m" + (s == 0 ? "" : std::to_string(s) + "s");
    }
    if (minutes < 60 * 3) {
        return std::to_string(minutes) + "m";
    }
    const auto hours = minutes / 60;
    if (hours < 8) {
        const auto m = minutes % 60;
        return std::to_string(hours) + "h" + (m == 0 ? "" : std::to_string(m) + "m");
    }
    if (hours < 48) {
        return std::to_string(hours) + "h";
    }
    if (hours < 24 * 8) {
        const auto h = hours % 24;
        return std::to_string(hours / 24) + "d" + (h == 0 ? "" : std::to_string(h) + "h");
    }
    if (hours < 24 * 365 * 2) {
        return std::to_string(hours / 24) + "d";
    }
    if (hours < 24 * 365 * 8) {
        const auto days = (hours / 24) % 365;
        return std::to_string(hours / 24 / 365) + "y" +
               (days == 0 ? "" : std::to_string(days) + "d");
    }
    return std::to_string(hours / 24 / 365) + "y";
}

namespace {

std::tm utc(std::chrono::system_clock::time_point time)
{
    const std::time_t t = std::chrono::system_clock::to_time_t(time);
    std::tm tm{};
    gmtime_r(&t, &tm);
    return tm;
}

std::string strftimeUtc(std::chrono::system_clock::time_point time, const char *format)
{
    const std::tm tm = utc(time);
    char buffer[64];
    const std::size_t size = std::strftime(buffer, sizeof buffer, format, &tm);
    return std::string(buffer, size);
}

std::uint64_t fnv1a(std::string_view text, std::uint64_t seed)
{
    std::uint64_t hash = 0xcbf29ce484222325ULL ^ seed;
    for (const char c : text) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 0x100000001b3ULL;
    }
    return hash;
}

} // namespace

std::string formatRfc3339(std::chrono::system_clock::time_point time)
{
    return strftimeUtc(time, "%Y-%m-%dT%H:%M:%SZ");
}

std::string formatAnsic(std::chrono::system_clock::time_point time)
{
    const std::tm tm = utc(time);
    std::string out = strftimeUtc(time, "%a %b ");
    const std::string day = std::to_string(tm.tm_mday);
    out += (day.size() == 1 ? " " : "") + day;
    return out + strftimeUtc(time, " %H:%M:%S %Y");
}

std::string formatRfc1123z(std::chrono::system_clock::time_point time)
{
    return strftimeUtc(time, "%a, %d %b %Y %H:%M:%S +0000");
}

std::string sortedJson(const config::Node &node)
{
    if (!node.isMap()) {
        if (node.isSequence()) {
            std::string out = "[";
            for (std::size_t i = 0; i < node.items.size(); ++i) {
                out += (i ? "," : "") + sortedJson(node.items[i]);
            }
            return out + "]";
        }
        if (node.isString()) {
            std::string out;
            config::appendJsonString(out, node.scalar);
            return out;
        }
        return config::toJson(node);
    }
    std::vector<const config::MapEntry *> entries;
    for (const config::MapEntry &entry : node.entries) {
        entries.push_back(&entry);
    }
    std::stable_sort(entries.begin(), entries.end(),
                     [](const auto *a, const auto *b) { return a->key < b->key; });
    std::string out = "{";
    for (std::size_t i = 0; i < entries.size(); ++i) {
        if (i) {
            out += ',';
        }
        config::appendJsonString(out, entries[i]->key);
        out += ':' + sortedJson(entries[i]->value);
    }
    return out + "}";
}

std::string stableHex(std::string_view seed, std::size_t count)
{
    static constexpr char Hex[] = "0123456789abcdef";
    std::string out;
    std::uint64_t round = 0;
    while (out.size() < count) {
        std::uint64_t hash = fnv1a(seed, round++ * 0x9e3779b97f4a7c15ULL);
        for (int i = 0; i < 16 && out.size() < count; ++i) {
            out += Hex[hash & 0xf];
            hash >>= 4;
        }
    }
    return out;
}

std::string stableUid(std::string_view seed)
{
    const std::string hex = stableHex(seed, 32);
    return hex.substr(0, 8) + '-' + hex.substr(8, 4) + '-' + hex.substr(12, 4) + '-' +
           hex.substr(16, 4) + '-' + hex.substr(20, 12);
}

FlagSpec completionFlag(std::vector<std::string> names, bool takesValue,
                        std::vector<std::string> values, CandidateProvider provider,
                        bool valueIsFile)
{
    FlagSpec flag;
    flag.names = std::move(names);
    flag.takesValue = takesValue;
    flag.values = std::move(values);
    flag.valueProvider = std::move(provider);
    flag.valueIsFile = valueIsFile;
    return flag;
}

std::string formatLabels(const std::map<std::string, std::string> &labels)
{
    if (labels.empty()) {
        return "<none>";
    }
    std::string out;
    for (const auto &[key, value] : labels) {
        out += (out.empty() ? "" : ",") + key + '=' + value;
    }
    return out;
}

} // namespace meshcraft::core::shell::tools
