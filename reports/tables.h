// Every implemented table target's definition, one function per file named after the
// target (reports/<paper dir>/<target>.cc), listed by registry.cc in TABLES.md's order.
// A table file includes this header for the table machinery and the run catalogue.
#ifndef STRATA_REPORTS_TABLES_H_
#define STRATA_REPORTS_TABLES_H_

#include "reports/catalog.h"
#include "reports/claims.h"
#include "reports/table.h"
#include "reports/table_util.h"

namespace strata {
namespace reports {

TableDef VlTable1();
TableDef VlTable2();
TableDef VlTable3();
TableDef VlTable4();
TableDef VlTable5();
TableDef VlTable6();
TableDef VlTable7();
TableDef VlTable8();
TableDef VlTable9();
TableDef VlFig5();
TableDef VlFig7();
TableDef VlFig8();
TableDef AmedTable1();
TableDef AmedTable6();
TableDef EdgeTable5();
TableDef EdgeTable6();
TableDef EdgeTable7();
TableDef StrataFp();
TableDef StrataSpeed();
TableDef StrataHwsimValidation();

}  // namespace reports
}  // namespace strata

#endif  // STRATA_REPORTS_TABLES_H_
