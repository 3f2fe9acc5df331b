// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/lab/session.h"

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>
#include <QString>
#include <cstdint>
#include <deque>

namespace meshcraft::app {

/// What a timeline row is about (the filters' types).
enum class TimelineType {
    Command,         ///< a command line ran (terminal, Run, a solution)
    Apply,           ///< kubectl apply or the editor's Apply, with its result
    ConfigPush,      ///< the control plane pushed to proxies (and the store changes behind it)
    ConnectionOpen,  ///< a proxy accepted a connection
    ConnectionClose, ///< a proxy closed one, with its flags
    Probe,           ///< a probe's outcome (telnet, nc, redis-cli)
    Note,            ///< simulator notes, checks, steps
};
constexpr int TimelineTypeCount = 7;
QString timelineTypeName(TimelineType type);  ///< "command", "apply", "push", …
QString timelineTypeTitle(TimelineType type); ///< "Commands", "Applies", … (translated)

/// The event timeline (Packet Tracer's Event List, for a mesh): one row per thing that
/// happened, oldest first, bounded to MaxRows (the oldest go first).
class TimelineModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    static constexpr int MaxRows = 5000;
    enum Column { SequenceColumn, TypeColumn, WhatColumn, ColumnCount };
    enum Role {
        TypeRole = Qt::UserRole + 1, ///< TimelineType as int
        TraceRole,                   ///< qulonglong: the connection's trace id, 0 for none
        NodeRole,                    ///< QString: a proxy id or pod name it is about, or empty
    };

    struct Entry
    {
        std::uint64_t sequence = 0;
        TimelineType type = TimelineType::Note;
        QString text;
        std::uint64_t traceId = 0;
        QString node;
    };

    explicit TimelineModel(QObject *parent = nullptr);

    /// Adds the rows of one flushed batch (the bridge's eventsFlushed).
    void addEvents(const std::vector<core::lab::Event> &batch);
    void append(Entry entry);
    void clear();
    const Entry &entry(int row) const { return m_entries.at(static_cast<std::size_t>(row)); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    std::deque<Entry> m_entries;
    std::uint64_t m_next = 1;
};

/// Shows only the checked types.
class TimelineFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    explicit TimelineFilterModel(QObject *parent = nullptr);
    void setTypeVisible(TimelineType type, bool visible);
    bool isTypeVisible(TimelineType type) const;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    unsigned m_visible = (1U << TimelineTypeCount) - 1;
};

} // namespace meshcraft::app
