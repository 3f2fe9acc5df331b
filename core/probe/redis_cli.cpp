// SPDX-License-Identifier: GPL-3.0-or-later
// redis-cli 7.2 (src/redis-cli.c) with hiredis, in a terminal (TTY formatting), inside a pod.

#include "core/probe/detail/busybox.h"
#include "core/probe/detail/session_io.h"
#include "core/probe/redis_client.h"

#include <charconv>
#include <strings.h>
#include <unistd.h>

namespace meshcraft::core::probe::detail {

namespace {

struct CliConfig
{
    std::string host = "127.0.0.1";
    int port = 6379;
    std::vector<std::string> command; ///< empty: interactive mode
};

/// parseOptions() for the options a pod's learner uses; false after printing an error.
bool parseOptions(SessionIo &io, CliConfig &config)
{
    const auto &args = io.args();
    std::size_t i = 0;
    for (; i < args.size(); ++i) {
        const std::string &arg = args[i];
        const bool last = i + 1 == args.size();
        if (arg == "-h" && !last) {
            config.host = args[++i];
        } else if (arg == "-p" && !last) {
            const std::string &value = args[++i];
            int port = 0;
            const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), port);
            (void)ptr;
            // atoi(): garbage reads as 0
            config.port = ec == std::errc() ? port : 0;
            if (config.port < 0 || config.port > 65535) {
                io.err("Invalid server port.\n");
                io.finish(ProbeOutcome::Usage, 1);
                return false;
            }
        } else if (!arg.empty() && arg[0] == '-') {
            io.err("Unrecognized option or bad number of args for: '" + arg + "'\n");
            io.finish(ProbeOutcome::Usage, 1);
            return false;
        } else {
            break;
        }
    }
    config.command.assign(args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
    return true;
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/// sdssplitargs(): words, "double quoted" with C escapes, 'single quoted'; nullopt when a
/// quote is unbalanced or a closing quote is not followed by a space.
std::optional<std::vector<std::string>> splitArgs(const std::string &line)
{
    std::vector<std::string> out;
    std::size_t i = 0;
    const auto isSpace = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    while (true) {
        while (i < line.size() && isSpace(line[i])) {
            ++i;
        }
        if (i >= line.size()) {
            return out;
        }
        std::string word;
        bool inDouble = false;
        bool inSingle = false;
        for (bool done = false; !done;) {
            if (inDouble) {
                if (i >= line.size()) {
                    return std::nullopt;
                }
                if (line[i] == '\\' && i + 3 < line.size() && line[i + 1] == 'x' &&
                    hexValue(line[i + 2]) >= 0 && hexValue(line[i + 3]) >= 0) {
                    word += static_cast<char>(hexValue(line[i + 2]) * 16 + hexValue(line[i + 3]));
                    i += 3;
                } else if (line[i] == '\\' && i + 1 < line.size()) {
                    ++i;
                    switch (line[i]) {
                    case 'n':
                        word += '\n';
                        break;
                    case 'r':
                        word += '\r';
                        break;
                    case 't':
                        word += '\t';
                        break;
                    case 'b':
                        word += '\b';
                        break;
                    case 'a':
                        word += '\a';
                        break;
                    default:
                        word += line[i];
                    }
                } else if (line[i] == '"') {
                    if (i + 1 < line.size() && !isSpace(line[i + 1])) {
                        return std::nullopt;
                    }
                    done = true;
                } else {
                    word += line[i];
                }
            } else if (inSingle) {
                if (i >= line.size()) {
                    return std::nullopt;
                }
                if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == '\'') {
                    ++i;
                    word += '\'';
                } else if (line[i] == '\'') {
                    if (i + 1 < line.size() && !isSpace(line[i + 1])) {
                        return std::nullopt;
                    }
                    done = true;
                } else {
                    word += line[i];
                }
            } else if (i >= line.size() || isSpace(line[i])) {
                done = true;
                continue;
            } else if (line[i] == '"') {
                inDouble = true;
            } else if (line[i] == '\'') {
                inSingle = true;
            } else {
                word += line[i];
            }
            if (i < line.size()) {
                ++i;
            }
        }
        out.push_back(std::move(word));
    }
}

ProbeOutcome outcomeOfTransport(const std::string &message)
{
    if (message == "Server closed the connection") {
        return ProbeOutcome::ServerClosed;
    }
    if (message == "Connection reset by peer") {
        return ProbeOutcome::ConnectionReset;
    }
    return ProbeOutcome::TransportError;
}

class Cli
{
public:
    Cli(SessionIo &io, CliConfig config) : m_io(io), m_config(std::move(config)) {}

    void run()
    {
        if (m_config.command.empty()) {
            interactive();
        } else {
            nonInteractive();
        }
    }

private:
    std::string hostPort() const { return m_config.host + ':' + std::to_string(m_config.port); }

    /// cliConnect(): "Could not connect to Redis at HOST:PORT: why" on failure.
    bool connect()
    {
        disconnect();
        auto connection = m_io.connect(m_config.host, static_cast<std::uint16_t>(m_config.port));
        if (!connection) {
            // redis:alpine is musl: gai_strerror(EAI_NONAME) is "Name does not resolve".
            const std::string why = connection.error().code == "net.bad-address"
                                        ? std::string("Name does not resolve")
                                        : connection.error().message;
            m_io.err("Could not connect to Redis at " + hostPort() + ": " + why + '\n');
            m_lastOutcome = outcomeOf(connection.error());
            m_io.result().trace.complete = true;
            return false;
        }
        m_connection = *connection;
        m_io.setInterruptibleFd(m_connection->fd);
        auto client = RedisClient::adopt(m_connection->fd, m_io.options().redisTimeout);
        m_connection->fd = -1; // hiredis owns the socket now
        if (!client) {
            m_io.err("Could not connect to Redis at " + hostPort() + ": " + client.error().message +
                     '\n');
            m_lastOutcome = ProbeOutcome::ConnectFailed;
            disconnect();
            return false;
        }
        m_client.emplace(std::move(*client));
        return true;
    }

    void disconnect()
    {
        m_io.setInterruptibleFd(-1);
        m_client.reset();
        if (m_connection) {
            m_io.closeAndTrace(*m_connection);
            m_connection.reset();
        }
    }

    /// Sends one command and prints its reply; false on a transport error (after printing it).
    bool issue(const std::vector<std::string> &argv)
    {
        auto reply = m_client->command(argv);
        if (!reply) {
            m_io.err("Error: " + reply.error().message + '\n');
            m_lastOutcome = outcomeOfTransport(reply.error().message);
            return false;
        }
        m_io.out(formatReplyTty(*reply));
        m_lastOutcome = reply->isError() ? ProbeOutcome::ErrorReply : ProbeOutcome::Reply;
        return true;
    }

    void nonInteractive()
    {
        if (!connect()) {
            m_io.finish(m_lastOutcome, 1);
            return;
        }
        const bool ok = issue(m_config.command);
        const bool interrupted = m_io.stopRequested();
        disconnect();
        if (interrupted) {
            m_io.finish(ProbeOutcome::Interrupted, 130);
            return;
        }
        // redis-cli 7 exits 1 on a transport error, and on an error reply (unverified).
        m_io.finish(m_lastOutcome, ok && m_lastOutcome == ProbeOutcome::Reply ? 0 : 1);
    }

    void interactive()
    {
        connect();
        for (;;) {
            m_io.out(m_client ? hostPort() + "> " : std::string("not connected> "));
            std::optional<Input> input;
            while (!(input = m_io.takeInput())) {
                m_io.wait(-1);
            }
            if (input->kind == Input::Kind::Cancel) {
                disconnect();
                m_io.finish(ProbeOutcome::Interrupted, 130);
                return;
            }
            if (input->kind != Input::Kind::Line) {
                // EOF, or Ctrl+C at linenoise's prompt: the repl ends.
                disconnect();
                m_io.finish(m_lastOutcome, 0);
                return;
            }
            const auto argv = splitArgs(input->text);
            if (!argv) {
                m_io.out("Invalid argument(s)\n");
                continue;
            }
            if (argv->empty()) {
                continue;
            }
            if (strcasecmp(argv->front().c_str(), "quit") == 0 ||
                strcasecmp(argv->front().c_str(), "exit") == 0) {
                disconnect();
                m_io.finish(m_lastOutcome, 0);
                return;
            }
            // issueCommandRepeat(): reconnect when there is no healthy context.
            if (!m_client && !connect()) {
                continue;
            }
            if (!issue(*argv)) {
                disconnect(); // the prompt becomes "not connected> "
            }
        }
    }

    SessionIo &m_io;
    CliConfig m_config;
    std::optional<OpenConnection> m_connection;
    std::optional<RedisClient> m_client;
    ProbeOutcome m_lastOutcome = ProbeOutcome::Connected;
};

} // namespace

void runRedisCli(SessionIo &io)
{
    CliConfig config;
    if (!parseOptions(io, config)) {
        return;
    }
    Cli(io, std::move(config)).run();
}

} // namespace meshcraft::core::probe::detail
