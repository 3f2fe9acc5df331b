// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/common/result.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace meshcraft::core::probe {

/// A RESP2 reply as a plain value (hiredis stays behind this header).
struct RedisReply
{
    enum class Type { Status, Error, Integer, String, Nil, Array };

    Type type = Type::Nil;
    std::string str;                  ///< Status, Error and String
    long long integer = 0;            ///< Integer
    std::vector<RedisReply> elements; ///< Array

    bool isError() const { return type == Type::Error; }
};

/// Error codes of RedisClient::command().
inline constexpr const char *RedisTransportError = "redis.transport"; ///< NULL reply: reconnect
inline constexpr const char *RedisProtocolError = "redis.protocol";

/// redis-cli's TTY formatting (src/redis-cli.c cliFormatReplyTTY): "PONG", "(nil)",
/// "(integer) 1", "\"value\"", "(error) ERR ...", "(empty array)", nested "1) ..." lists.
/// Every reply ends with '\n'.
std::string formatReplyTty(const RedisReply &reply);
/// sdscatrepr: a quoted string with C escapes, as redis-cli shows bulk strings.
std::string quoteRepr(const std::string &text);

/// A blocking hiredis connection on a socket the caller already connected (a captured one),
/// through redisConnectFd. One thread uses it at a time; any thread may (SIGPIPE is blocked
/// around hiredis's writes).
///
/// Errors: command() fails with RedisTransportError when hiredis returns NULL (the message is
/// hiredis's errstr, e.g. "Server closed the connection", "Connection reset by peer"); the
/// connection is then dead and must be dropped (style-guide 4). A rejected command is not an
/// error: it is a reply of Type::Error.
class RedisClient
{
public:
    /// Takes ownership of `fd` (closed on failure too). `timeout` bounds each read and write.
    static common::Result<RedisClient> adopt(int fd, std::chrono::milliseconds timeout);

    RedisClient(RedisClient &&) noexcept;
    RedisClient &operator=(RedisClient &&) noexcept;
    ~RedisClient();

    common::Result<RedisReply> command(const std::vector<std::string> &argv);
    /// Sends several commands in one write and reads their replies (a pipeline).
    common::Result<std::vector<RedisReply>>
    pipeline(const std::vector<std::vector<std::string>> &commands);
    bool isBroken() const;

private:
    struct Impl;
    explicit RedisClient(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> d;
};

} // namespace meshcraft::core::probe
