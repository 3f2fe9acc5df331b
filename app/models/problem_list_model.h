// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/common/diagnostic.h"

#include <QAbstractTableModel>
#include <QString>

#include <vector>

namespace meshcraft::app {

/// The editor's problems list: every diagnostic of every open buffer, sorted by file, line and
/// column. Columns: the severity (an icon and a word), the place (file:line:column), the message.
class ProblemListModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { SeverityColumn, LocationColumn, MessageColumn, ColumnCount };
    enum Role {
        PathRole = Qt::UserRole + 1, ///< the buffer's virtual path
        LineRole,                    ///< 1-based, 0 when unknown
        ColumnRole,                  ///< 1-based, 0 when unknown
        SeverityRole,                ///< core::common::Severity as int
        CodeRole,                    ///< "istio.invalid-address"
        TextRole,                    ///< the diagnostic's toString()
    };

    struct Problem
    {
        QString path; ///< virtual path of the buffer
        core::common::Diagnostic diagnostic;
    };

    explicit ProblemListModel(QObject *parent = nullptr);

    /// Replaces the problems of one buffer.
    void setProblems(const QString &path, const core::common::Diagnostics &diagnostics);
    void clear();
    const Problem *problem(int row) const;
    int count() const { return static_cast<int>(m_problems.size()); }
    int errorCount() const;

    // Interface (QAbstractTableModel)
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    std::vector<Problem> m_problems;
};

} // namespace meshcraft::app
