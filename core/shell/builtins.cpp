// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/shell/builtins.h"

#include "core/common/text.h"
#include "core/shell/command_line.h"
#include "core/shell/command_util.h"
#include "core/shell/shell_context.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace meshcraft::core::shell {

namespace {

using detail::fail;
using detail::isAsh;

void add(CommandRegistry &registry, std::string name, std::string summary,
         FunctionCommand::Function function, ShellCommand::Kind kind = ShellCommand::Kind::Program,
         CompletionSpec completion = {})
{
    registry.add(std::make_shared<FunctionCommand>(
        std::move(name), std::move(summary), std::move(function), std::move(completion), kind));
}

constexpr ShellCommand::Kind Builtin = ShellCommand::Kind::Builtin;

/// "bash: cd: " or "/bin/sh: cd: ": how a shell's builtins name themselves in errors.
std::string builtinPrefix(CommandContext &ctx, std::string_view builtin)
{
    return ctx.shell().shellName() + ": " + std::string(builtin);
}

std::string echoEscapes(std::string_view text, bool &stop)
{
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '\\' || i + 1 >= text.size()) {
            out += text[i];
            continue;
        }
        const char e = text[++i];
        switch (e) {
        case 'n':
            out += '\n';
            break;
        case 't':
            out += '\t';
            break;
        case 'r':
            out += '\r';
            break;
        case 'a':
            out += '\a';
            break;
        case 'b':
            out += '\b';
            break;
        case 'v':
            out += '\v';
            break;
        case 'f':
            out += '\f';
            break;
        case 'e':
            out += '\x1b';
            break;
        case '\\':
            out += '\\';
            break;
        case 'c':
            stop = true;
            return out;
        case 'x': {
            int value = 0;
            std::size_t digits = 0;
            while (digits < 2 && i + 1 < text.size() &&
                   std::isxdigit(static_cast<unsigned char>(text[i + 1]))) {
                const char h = text[++i];
                value = value * 16 + (h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
                ++digits;
            }
            if (digits == 0) {
                out += "\\x";
            } else {
                out += static_cast<char>(value);
            }
            break;
        }
        case '0': {
            int value = 0;
            std::size_t digits = 0;
            while (digits < 3 && i + 1 < text.size() && text[i + 1] >= '0' && text[i + 1] <= '7') {
                value = value * 8 + (text[++i] - '0');
                ++digits;
            }
            out += static_cast<char>(value);
            break;
        }
        default:
            out += '\\';
            out += e;
            break;
        }
    }
    return out;
}

CommandStatus echo(CommandContext &ctx)
{
    const auto &args = ctx.args();
    bool newline = true;
    bool escapes = false;
    std::size_t i = 1;
    for (; i < args.size(); ++i) {
        const std::string &arg = args[i];
        if (arg.size() < 2 || arg[0] != '-' ||
            arg.find_first_not_of("neE", 1) != std::string::npos) {
            break;
        }
        for (const char c : arg.substr(1)) {
            newline = newline && c != 'n';
            escapes = c == 'e' ? true : (c == 'E' ? false : escapes);
        }
    }
    std::string out;
    bool stop = false;
    for (std::size_t first = i; i < args.size() && !stop; ++i) {
        if (i > first) {
            out += ' ';
        }
        out += escapes ? echoEscapes(args[i], stop) : args[i];
    }
    if (newline && !stop) {
        out += '\n';
    }
    ctx.out().write(out);
    return CommandStatus::exited(0);
}

CommandStatus printEnvironment(CommandContext &ctx)
{
    std::string out;
    for (const auto &[name, value] : ctx.env().exported()) {
        out += name + "=" + value + "\n";
    }
    ctx.out().write(out);
    return CommandStatus::exited(0);
}

CommandStatus env(CommandContext &ctx)
{
    if (ctx.args().size() > 1) {
        return fail(ctx, "env",
                    "running a command through env is not available in this terminal; "
                    "use NAME=value command",
                    125);
    }
    return printEnvironment(ctx);
}

CommandStatus printenv(CommandContext &ctx)
{
    if (ctx.args().size() == 1) {
        return printEnvironment(ctx);
    }
    int status = 0;
    for (std::size_t i = 1; i < ctx.args().size(); ++i) {
        if (const auto value = ctx.env().get(ctx.args()[i]);
            value && ctx.env().isExported(ctx.args()[i])) {
            ctx.out().write(*value + "\n");
        } else {
            status = 1;
        }
    }
    return CommandStatus::exited(status);
}

std::string declareQuoted(std::string_view value)
{
    std::string out = "\"";
    for (const char c : value) {
        if (c == '"' || c == '\\' || c == '$' || c == '`') {
            out += '\\';
        }
        out += c;
    }
    return out + "\"";
}

CommandStatus exportBuiltin(CommandContext &ctx)
{
    Environment &variables = ctx.shell().variables();
    const auto &args = ctx.args();
    bool unexport = false;
    std::size_t i = 1;
    for (; i < args.size() && args[i].size() > 1 && args[i][0] == '-'; ++i) {
        if (args[i] == "--") {
            ++i;
            break;
        }
        if (args[i] == "-n") {
            unexport = true;
        } else if (args[i] != "-p") {
            ctx.err().write(builtinPrefix(ctx, "export") + ": " + args[i] + ": invalid option\n" +
                            "export: usage: export [-fn] [name[=value] ...] or export -p\n");
            return CommandStatus::exited(2);
        }
    }
    if (i == args.size()) {
        std::string out;
        for (const auto &[name, value] : variables.exported()) {
            out += (isAsh(ctx) ? "export " : "declare -x ") + name + "=" +
                   (isAsh(ctx) ? quoteWord(value) : declareQuoted(value)) + "\n";
        }
        ctx.out().write(out);
        return CommandStatus::exited(0);
    }
    int status = 0;
    for (; i < args.size(); ++i) {
        const std::string &arg = args[i];
        const std::size_t eq = arg.find('=');
        const std::string name = arg.substr(0, eq);
        if (!Environment::isValidName(name)) {
            ctx.err().write(builtinPrefix(ctx, "export") + ": " +
                            (isAsh(ctx) ? name + ": bad variable name"
                                        : "`" + arg + "': not a valid identifier") +
                            "\n");
            status = isAsh(ctx) ? 2 : 1;
            continue;
        }
        if (unexport) {
            const std::string value = variables.value(name);
            if (variables.contains(name)) {
                variables.unset(name);
                variables.set(name, value);
            }
        } else if (eq != std::string::npos) {
            variables.exportVariable(name, arg.substr(eq + 1));
        } else if (variables.contains(name)) {
            variables.markExported(name);
        }
    }
    return CommandStatus::exited(status);
}

CommandStatus unsetBuiltin(CommandContext &ctx)
{
    int status = 0;
    for (std::size_t i = 1; i < ctx.args().size(); ++i) {
        const std::string &name = ctx.args()[i];
        if (name == "-v" || name == "-f") {
            continue;
        }
        if (!Environment::isValidName(name)) {
            ctx.err().write(builtinPrefix(ctx, "unset") + ": `" + name +
                            "': not a valid identifier\n");
            status = 1;
            continue;
        }
        ctx.shell().variables().unset(name);
    }
    return CommandStatus::exited(status);
}

CommandStatus cd(CommandContext &ctx)
{
    ShellContext &shell = ctx.shell();
    const auto &args = ctx.args();
    if (args.size() > 2) {
        return fail(ctx, builtinPrefix(ctx, "cd"), "too many arguments", isAsh(ctx) ? 2 : 1);
    }
    std::string target = args.size() == 2 ? args[1] : shell.home();
    bool print = false;
    if (target == "-") {
        if (!shell.variables().contains("OLDPWD")) {
            return fail(ctx, builtinPrefix(ctx, "cd"), "OLDPWD not set", 1);
        }
        target = shell.variables().value("OLDPWD");
        print = true;
    }
    const std::string absolute = ctx.resolvePath(target);
    if (!shell.fs().isDirectory(absolute)) {
        const std::string_view reason =
            shell.fs().exists(absolute) ? "Not a directory" : "No such file or directory";
        if (isAsh(ctx)) {
            return fail(ctx, builtinPrefix(ctx, "cd"),
                        "can't cd to " + target + ": " + std::string(reason), 2);
        }
        return fail(ctx, builtinPrefix(ctx, "cd"), target + ": " + std::string(reason), 1);
    }
    shell.setCwd(absolute);
    if (print) {
        ctx.out().write(absolute + "\n");
    }
    return CommandStatus::exited(0);
}

CommandStatus history(CommandContext &ctx)
{
    std::vector<std::string> &entries = ctx.shell().history();
    const auto &args = ctx.args();
    if (args.size() > 1 && args[1] == "-c") {
        entries.clear();
        return CommandStatus::exited(0);
    }
    std::size_t first = 0;
    if (args.size() > 1) {
        const auto count = detail::parseCount(args[1]);
        if (!count) {
            return fail(ctx, builtinPrefix(ctx, "history"), args[1] + ": numeric argument required",
                        1);
        }
        first = entries.size() > *count ? entries.size() - *count : 0;
    }
    std::string out;
    for (std::size_t i = first; i < entries.size(); ++i) {
        std::string number = std::to_string(i + 1);
        out += std::string(number.size() < 5 ? 5 - number.size() : 0, ' ') + number + "  " +
               entries[i] + "\n";
    }
    ctx.out().write(out);
    return CommandStatus::exited(0);
}

CommandStatus help(CommandContext &ctx)
{
    const CommandRegistry &commands = ctx.shell().commands();
    std::size_t width = 0;
    for (const std::string &name : commands.names()) {
        width = std::max(width, name.size());
    }
    std::string out = "Meshcraft's terminal: the workshop's commands, simulated. Nothing you type "
                      "here runs a\nprogram on your computer or touches its files.\n\n";
    for (const std::string &name : commands.names()) {
        const ShellCommand *command = commands.find(name);
        out += "  " + name + std::string(width - name.size() + 2, ' ') +
               std::string(command->summary()) + "\n";
    }
    out += "\nTab completes commands, flags, resource names and file names. "
           "`edit FILE` opens the editor.\n";
    ctx.out().write(out);
    return CommandStatus::exited(0);
}

CommandStatus exitBuiltin(CommandContext &ctx)
{
    int status = ctx.shell().lastStatus();
    if (ctx.args().size() > 1) {
        const std::string &arg = ctx.args()[1];
        int value = 0;
        const auto [end, error] = std::from_chars(arg.data(), arg.data() + arg.size(), value);
        if (error != std::errc() || end != arg.data() + arg.size()) {
            ctx.err().write(
                builtinPrefix(ctx, "exit") + ": " +
                (isAsh(ctx) ? "Illegal number: " + arg : arg + ": numeric argument required") +
                "\n");
            status = 2;
        } else {
            status = value & 0xff;
        }
    }
    ctx.exitShell(status);
    return CommandStatus::exited(status);
}

CommandStatus clear(CommandContext &ctx)
{
    ctx.requestAction(ShellAction{ShellAction::Kind::ClearScreen, {}, 0});
    return CommandStatus::exited(0);
}

CommandStatus which(CommandContext &ctx)
{
    int status = ctx.args().size() > 1 ? 0 : 1;
    for (std::size_t i = 1; i < ctx.args().size(); ++i) {
        const std::string &name = ctx.args()[i];
        if (name == "-a") {
            continue;
        }
        const ShellCommand *command = ctx.shell().commands().find(name);
        if (command && command->kind() == ShellCommand::Kind::Program) {
            ctx.out().write(command->location() + "\n");
        } else {
            status = 1;
        }
    }
    return CommandStatus::exited(status);
}

CommandStatus edit(CommandContext &ctx)
{
    if (ctx.args().size() != 2) {
        return fail(ctx, "edit", "usage: edit FILE (opens FILE in Meshcraft's editor)", 2);
    }
    const std::string &file = ctx.args()[1];
    const std::string path = ctx.resolvePath(file);
    if (ctx.fs().isDirectory(path)) {
        return fail(ctx, "edit", file + ": Is a directory", 1);
    }
    if (!ctx.fs().isDirectory(VirtualFs::parentOf(path))) {
        return fail(ctx, "edit", file + ": No such file or directory", 1);
    }
    ctx.requestAction(ShellAction{ShellAction::Kind::OpenEditor, path, 0});
    return CommandStatus::exited(0);
}

/// One printf conversion (%s, %d, %x …) with its flags, width and precision.
std::string formatOne(std::string_view spec, char conversion, const std::string &arg, bool &bad)
{
    bool left = false;
    bool zero = false;
    std::size_t i = 0;
    for (;
         i < spec.size() && (spec[i] == '-' || spec[i] == '0' || spec[i] == '+' || spec[i] == ' ');
         ++i) {
        left = left || spec[i] == '-';
        zero = zero || spec[i] == '0';
    }
    std::size_t width = 0;
    for (; i < spec.size() && spec[i] >= '0' && spec[i] <= '9'; ++i) {
        width = width * 10 + static_cast<std::size_t>(spec[i] - '0');
    }
    std::optional<std::size_t> precision;
    if (i < spec.size() && spec[i] == '.') {
        precision = detail::parseCount(spec.substr(i + 1)).value_or(0);
    }
    std::string text;
    if (conversion == 's' || conversion == 'b') {
        bool stop = false;
        text = conversion == 'b' ? echoEscapes(arg, stop) : arg;
        if (precision && text.size() > *precision) {
            text.resize(*precision);
        }
    } else if (conversion == 'c') {
        text = arg.substr(0, 1);
    } else {
        long long value = 0;
        const std::string_view digits = arg;
        if (!digits.empty()) {
            const auto [end, error] =
                std::from_chars(digits.data(), digits.data() + digits.size(), value);
            if (error != std::errc() || end != digits.data() + digits.size()) {
                bad = true;
            }
        }
        const int base = conversion == 'x' || conversion == 'X' ? 16 : conversion == 'o' ? 8 : 10;
        const bool negative = value < 0;
        unsigned long long magnitude = negative ? 0ULL - static_cast<unsigned long long>(value)
                                                : static_cast<unsigned long long>(value);
        do {
            const auto digit = static_cast<int>(magnitude % static_cast<unsigned>(base));
            text.insert(text.begin(),
                        static_cast<char>(digit < 10
                                              ? '0' + digit
                                              : (conversion == 'X' ? 'A' : 'a') + digit - 10));
            magnitude /= static_cast<unsigned>(base);
        } while (magnitude > 0);
        if (negative) {
            text.insert(text.begin(), '-');
        }
    }
    if (text.size() < width) {
        const std::size_t fill = width - text.size();
        if (left) {
            text.append(fill, ' ');
        } else if (zero && conversion != 's') {
            text.insert(text.front() == '-' ? 1 : 0, fill, '0');
        } else {
            text.insert(0, fill, ' ');
        }
    }
    return text;
}

CommandStatus printfCommand(CommandContext &ctx)
{
    const auto &args = ctx.args();
    if (args.size() < 2) {
        return fail(ctx, builtinPrefix(ctx, "printf"), "usage: printf format [arguments]", 2);
    }
    bool stopAll = false;
    const std::string format = echoEscapes(args[1], stopAll);
    std::size_t next = 2;
    std::string out;
    int status = 0;
    // The format is reused while arguments remain, as in bash.
    do {
        for (std::size_t i = 0; i < format.size(); ++i) {
            if (format[i] != '%' || i + 1 >= format.size()) {
                out += format[i];
                continue;
            }
            if (format[i + 1] == '%') {
                out += '%';
                ++i;
                continue;
            }
            const std::size_t specStart = i + 1;
            std::size_t j = specStart;
            while (j < format.size() &&
                   std::string_view("-+ 0123456789.").find(format[j]) != std::string_view::npos) {
                ++j;
            }
            if (j >= format.size()) {
                out += format.substr(i);
                break;
            }
            const char conversion = format[j];
            if (std::string_view("sbcdiuxXo").find(conversion) == std::string_view::npos) {
                return fail(ctx, builtinPrefix(ctx, "printf"),
                            "`" + std::string(1, conversion) + "': invalid format character", 1);
            }
            const std::string arg = next < args.size() ? args[next++] : std::string();
            bool bad = false;
            out += formatOne(std::string_view(format).substr(specStart, j - specStart), conversion,
                             arg, bad);
            if (bad) {
                ctx.err().write(builtinPrefix(ctx, "printf") + ": " + arg + ": invalid number\n");
                status = 1;
            }
            i = j;
        }
    } while (next < args.size() && next > 2);
    ctx.out().write(out);
    return CommandStatus::exited(status);
}

CommandStatus tee(CommandContext &ctx)
{
    bool append = false;
    int status = 0;
    const std::string_view text = ctx.stdinText();
    for (std::size_t i = 1; i < ctx.args().size(); ++i) {
        const std::string &file = ctx.args()[i];
        if (file == "-a" || file == "--append") {
            append = true;
            continue;
        }
        const std::string path = ctx.resolvePath(file);
        const auto written =
            append ? ctx.fs().appendFile(path, text) : ctx.fs().writeFile(path, std::string(text));
        if (!written) {
            ctx.err().write("tee: " + file + ": " + std::string(written.error().description()) +
                            "\n");
            status = 1;
        }
    }
    ctx.out().write(text);
    return CommandStatus::exited(status);
}

CommandStatus printVariable(CommandContext &ctx, std::string_view name, std::string_view fallback)
{
    const std::string value = ctx.shell().variables().value(name);
    ctx.out().write((value.empty() ? std::string(fallback) : value) + "\n");
    return CommandStatus::exited(0);
}

CommandStatus aliasBuiltin(CommandContext &ctx)
{
    auto &aliases = ctx.shell().aliases();
    const auto show = [&](const std::string &name, const std::string &value) {
        ctx.out().write("alias " + name + "='" + value + "'\n");
    };
    if (ctx.args().size() == 1 || (ctx.args().size() == 2 && ctx.args()[1] == "-p")) {
        for (const auto &[name, value] : aliases) {
            show(name, value);
        }
        return CommandStatus::exited(0);
    }
    int status = 0;
    for (std::size_t i = 1; i < ctx.args().size(); ++i) {
        const std::string &arg = ctx.args()[i];
        const std::size_t eq = arg.find('=');
        if (eq == std::string::npos) {
            if (const auto it = aliases.find(arg); it != aliases.end()) {
                show(it->first, it->second);
            } else {
                ctx.err().write(builtinPrefix(ctx, "alias") + ": " + arg + ": not found\n");
                status = 1;
            }
            continue;
        }
        const std::string name = arg.substr(0, eq);
        const std::string value = arg.substr(eq + 1);
        const ParseResult parsed = parseCommandLine(value);
        if (name.empty() || name.find_first_of("/$`'\"\\ ") != std::string::npos) {
            ctx.err().write(builtinPrefix(ctx, "alias") + ": `" + name + "': invalid alias name\n");
            status = 1;
        } else if (parsed.error || parsed.list.items.size() != 1 ||
                   parsed.list.items[0].pipeline.commands.size() != 1 ||
                   !parsed.list.items[0].pipeline.commands[0].redirections.empty()) {
            ctx.err().write(builtinPrefix(ctx, "alias") + ": " + name +
                            ": in this terminal an alias stands for one command and its "
                            "arguments\n");
            status = 1;
        } else {
            aliases[name] = value;
        }
    }
    return CommandStatus::exited(status);
}

CommandStatus unaliasBuiltin(CommandContext &ctx)
{
    auto &aliases = ctx.shell().aliases();
    int status = 0;
    for (std::size_t i = 1; i < ctx.args().size(); ++i) {
        const std::string &name = ctx.args()[i];
        if (name == "-a") {
            aliases.clear();
        } else if (aliases.erase(name) == 0) {
            ctx.err().write(builtinPrefix(ctx, "unalias") + ": " + name + ": not found\n");
            status = 1;
        }
    }
    return CommandStatus::exited(status);
}

CommandStatus typeBuiltin(CommandContext &ctx)
{
    int status = 0;
    for (std::size_t i = 1; i < ctx.args().size(); ++i) {
        const std::string &name = ctx.args()[i];
        const ShellCommand *command = ctx.shell().commands().find(name);
        if (const auto alias = ctx.shell().aliases().find(name);
            alias != ctx.shell().aliases().end()) {
            ctx.out().write(name + " is aliased to `" + alias->second + "'\n");
        } else if (command && command->kind() == ShellCommand::Kind::Builtin) {
            ctx.out().write(name + " is a shell builtin\n");
        } else if (command) {
            ctx.out().write(name + " is " + command->location() + "\n");
        } else {
            ctx.err().write(builtinPrefix(ctx, "type") + ": " + name + ": not found\n");
            status = 1;
        }
    }
    return CommandStatus::exited(status);
}

CommandStatus sleepCommand(CommandContext &ctx)
{
    return fail(ctx, "sleep",
                "not available in this terminal: the simulation never needs a pause, and "
                "commands return when their work is done",
                1);
}

struct Entry
{
    std::string_view name;
    std::string_view summary;
    FunctionCommand::Function function;
    ShellCommand::Kind kind;
    bool busybox; ///< Also an ash builtin or busybox applet
};

const std::vector<Entry> &entries()
{
    static const std::vector<Entry> table = {
        {"alias", "name a command: alias k=kubectl", aliasBuiltin, Builtin, true},
        {"cd", "change the working folder", cd, Builtin, true},
        {"clear", "clear the terminal", clear, ShellCommand::Kind::Program, true},
        {"echo", "print its arguments (-n: no newline, -e: escapes)", echo, Builtin, true},
        {"edit", "open a file in Meshcraft's editor", edit, ShellCommand::Kind::Program, false},
        {"env", "print the environment", env, ShellCommand::Kind::Program, true},
        {"exit", "leave this shell", exitBuiltin, Builtin, true},
        {"export", "set an environment variable: export NAME=value", exportBuiltin, Builtin, true},
        {"false", "do nothing, unsuccessfully",
         [](CommandContext &) { return CommandStatus::exited(1); }, Builtin, true},
        {"help", "list the commands of this terminal", help, Builtin, false},
        {"history", "list the command lines typed so far", history, Builtin, true},
        {"printenv", "print environment variables", printenv, ShellCommand::Kind::Program, true},
        {"pwd", "print the working folder",
         [](CommandContext &ctx) {
             ctx.out().write(ctx.shell().cwd() + "\n");
             return CommandStatus::exited(0);
         },
         Builtin, true},
        {"sleep", "(not available: nothing here needs waiting for)", sleepCommand,
         ShellCommand::Kind::Program, true},
        {"true", "do nothing, successfully",
         [](CommandContext &) { return CommandStatus::exited(0); }, Builtin, true},
        {"type", "tell what a command name is", typeBuiltin, Builtin, true},
        {"unalias", "remove an alias", unaliasBuiltin, Builtin, true},
        {"unset", "remove a variable", unsetBuiltin, Builtin, true},
        {"which", "show where a program is", which, ShellCommand::Kind::Program, true},
        {"printf", "print formatted text: printf '%s\\n' WORD", printfCommand, Builtin, true},
        {"tee", "copy its input to files and to the output (-a: append)", tee,
         ShellCommand::Kind::Program, true},
        {"whoami", "print the user's name",
         [](CommandContext &ctx) { return printVariable(ctx, "USER", "root"); },
         ShellCommand::Kind::Program, true},
        {"hostname", "print the machine's name",
         [](CommandContext &ctx) { return printVariable(ctx, "HOSTNAME", "localhost"); },
         ShellCommand::Kind::Program, true},
    };
    return table;
}

void registerCommands(CommandRegistry &registry, bool busybox)
{
    for (const Entry &entry : entries()) {
        if (!busybox || entry.busybox) {
            add(registry, std::string(entry.name), std::string(entry.summary), entry.function,
                entry.kind);
        }
    }
    detail::registerTextTools(registry, busybox);
}

} // namespace

void registerStandardCommands(CommandRegistry &registry)
{
    registerCommands(registry, false);
}

void registerBusyboxCommands(CommandRegistry &registry)
{
    registerCommands(registry, true);
}

} // namespace meshcraft::core::shell
