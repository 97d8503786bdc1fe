"""budgetreport: 部门预算公开 from validated YAML data to PDF and Excel."""

__version__ = "0.1.0"
