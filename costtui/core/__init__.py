"""The pure core: money, dates, records, aggregation, view model, chart and export shapes."""
