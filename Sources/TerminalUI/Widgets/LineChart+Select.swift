extension LineChart {
  /// The `k`-th smallest of `values` (0-based; what `values.sorted()[k]` is), reordering them:
  /// quickselect, linear on average, where sorting the few thousand values of every frame took
  /// a quarter of the dashboard's drawing time. `values` must not contain NaN.
  static func select(_ k: Int, in values: inout [Double]) -> Double {
    precondition(values.indices.contains(k), "select \(k) of \(values.count) values")
    var low = 0, high = values.count - 1
    while low < high {
      let pivot = values[low + (high - low) / 2]
      var i = low, j = high
      while i <= j {
        while values[i] < pivot { i += 1 }
        while values[j] > pivot { j -= 1 }
        if i <= j {
          values.swapAt(i, j)
          i += 1
          j -= 1
        }
      }
      // Now values[low...j] <= pivot <= values[i...high], and values strictly between are the pivot.
      if k <= j {
        high = j
      } else if k >= i {
        low = i
      } else {
        return values[k]
      }
    }
    return values[k]
  }
}
