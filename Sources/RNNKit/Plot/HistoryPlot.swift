import Foundation

extension History {
  /// Writes the training curves as the tutorial draws them: loss and val_loss against
  /// epochs, and beside it every other metric with its validation twin (accuracy and
  /// val_accuracy), in one SVG file.
  ///
  /// - Throws: ``FileWriteError`` when the file cannot be written.
  public func plot(to url: URL) throws {
    let x = epochs.map { Double($0 + 1) }
    var charts: [LineChart] = []
    let metrics = ["loss"] + history.keys.filter { !$0.hasPrefix("val_") && $0 != "loss" }.sorted()
    for metric in metrics {
      var chart = LineChart(title: metric, xLabel: "epoch", yLabel: metric)
      for key in [metric, "val_" + metric] {
        if let values = history[key] { chart.addSeries(key, x: x, y: values.map(Double.init)) }
      }
      charts.append(chart)
    }
    try writeAtomically(Data(LineChart.sideBySide(charts).utf8), to: url)
  }
}
