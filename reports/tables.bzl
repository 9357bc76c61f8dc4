"""strata_table: one `bazel run //reports:<name>` target per TABLES.md row."""

def strata_table(name, deps = [":tables"]):
    native.cc_binary(
        name = name,
        srcs = ["table_main.cc"],
        local_defines = ["STRATA_TABLE=" + name],
        data = [":table_runfiles"],
        visibility = ["//visibility:public"],
        deps = deps,
    )
