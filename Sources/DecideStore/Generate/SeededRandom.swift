#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small deterministic random source (SplitMix64): the same seed gives the same numbers on every platform.
public struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    /// Creates a generator for `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// The next number.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform number in [0, 1).
    mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// `true` with probability `probability`.
    mutating func chance(_ probability: Double) -> Bool {
        uniform() < probability
    }

    /// A normally distributed number (Box–Muller).
    mutating func normal(mean: Double, deviation: Double) -> Double {
        let u = max(uniform(), .leastNonzeroMagnitude)
        return mean + deviation * (-2 * log(u)).squareRoot() * cos(2 * .pi * uniform())
    }

    /// An exponentially distributed number with the given mean.
    mutating func exponential(mean: Double) -> Double {
        -mean * log(max(1 - uniform(), .leastNonzeroMagnitude))
    }

    /// An element of `choices` picked with the given weights.
    mutating func pick<T>(_ choices: [(T, Double)]) -> T {
        var remaining = uniform() * choices.reduce(0) { $0 + $1.1 }
        for (choice, weight) in choices {
            remaining -= weight
            if remaining < 0 { return choice }
        }
        return choices[choices.count - 1].0
    }
}
