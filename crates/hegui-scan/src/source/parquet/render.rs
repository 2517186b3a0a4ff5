//! Numbers, dates and times as text, so a phone number stored as `INT64` or a birth date
//! stored as `DATE` is scanned like the same value in a CSV. The forms are the ones the
//! record-API reader wrote (parquet's `Field` display), so findings did not move when
//! the reader changed; the exceptions are named where they are.

use std::fmt::Write;

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::Array;
use arrow_schema::{DataType, TimeUnit};

/// How to write value `i` of a column of one type.
pub(super) type Render<'a> = Box<dyn Fn(usize, &mut String) + 'a>;

/// The renderer for a column of a scalar type other than text; `None` for types that are
/// never scanned (booleans, nulls, intervals, durations, unions).
pub(super) fn renderer(a: &dyn Array) -> Option<Render<'_>> {
    Some(match a.data_type() {
        DataType::Int8 => int::<Int8Type>(a),
        DataType::Int16 => int::<Int16Type>(a),
        DataType::Int32 => int::<Int32Type>(a),
        DataType::Int64 => int::<Int64Type>(a),
        DataType::UInt8 => int::<UInt8Type>(a),
        DataType::UInt16 => int::<UInt16Type>(a),
        DataType::UInt32 => int::<UInt32Type>(a),
        DataType::UInt64 => int::<UInt64Type>(a),
        DataType::Float16 => {
            let a = a.as_primitive::<Float16Type>();
            Box::new(move |i, out| float(f64::from(a.value(i).to_f32()), out))
        }
        DataType::Float32 => {
            let a = a.as_primitive::<Float32Type>();
            Box::new(move |i, out| float32(a.value(i), out))
        }
        DataType::Float64 => {
            let a = a.as_primitive::<Float64Type>();
            Box::new(move |i, out| float(a.value(i), out))
        }
        DataType::Decimal32(..) => decimal::<Decimal32Type>(a),
        DataType::Decimal64(..) => decimal::<Decimal64Type>(a),
        DataType::Decimal128(..) => decimal::<Decimal128Type>(a),
        DataType::Decimal256(..) => decimal::<Decimal256Type>(a),
        DataType::Date32 => {
            let a = a.as_primitive::<Date32Type>();
            Box::new(move |i, out| {
                date_time(i128::from(a.value(i)) * 86_400_000_000_000, "%Y-%m-%d", out)
            })
        }
        DataType::Date64 => {
            let a = a.as_primitive::<Date64Type>();
            Box::new(move |i, out| date_time(i128::from(a.value(i)) * 1_000_000, "%Y-%m-%d", out))
        }
        DataType::Timestamp(unit, _) => timestamp(a, unit),
        DataType::Time32(TimeUnit::Millisecond) => {
            let a = a.as_primitive::<Time32MillisecondType>();
            Box::new(move |i, out| time_of_day(i64::from(a.value(i)), 1_000, out))
        }
        DataType::Time32(TimeUnit::Second) => {
            let a = a.as_primitive::<Time32SecondType>();
            Box::new(move |i, out| time_of_day(i64::from(a.value(i)) * 1_000, 1_000, out))
        }
        DataType::Time64(TimeUnit::Microsecond) => {
            let a = a.as_primitive::<Time64MicrosecondType>();
            Box::new(move |i, out| time_of_day(a.value(i), 1_000_000, out))
        }
        DataType::Time64(_) => {
            let a = a.as_primitive::<Time64NanosecondType>();
            Box::new(move |i, out| time_of_day(a.value(i), 1_000_000_000, out))
        }
        _ => return None,
    })
}

fn int<T>(a: &dyn Array) -> Render<'_>
where
    T: ArrowPrimitiveType,
    T::Native: std::fmt::Display,
{
    let a = a.as_primitive::<T>();
    Box::new(move |i, out| {
        let _ = write!(out, "{}", a.value(i));
    })
}

fn decimal<T: DecimalType>(a: &dyn Array) -> Render<'_> {
    let a = a.as_primitive::<T>();
    // Arrow's form ("123", "-0.05"); the record reader wrote a scale-0 decimal with a
    // trailing point ("123."), which ends a digit run the same way.
    Box::new(move |i, out| out.push_str(&a.value_as_string(i)))
}

/// A double as parquet's record reader displayed it: integral values with ".0", and
/// values outside 1e-15..=1e19 (zero and negatives included) in exponent form.
fn float(v: f64, out: &mut String) {
    let _ = if !(1e-15..=1e19).contains(&v) {
        write!(out, "{v:E}")
    } else if v.trunc() == v {
        write!(out, "{v}.0")
    } else {
        write!(out, "{v}")
    };
}

fn float32(v: f32, out: &mut String) {
    let _ = if !(1e-15..=1e19).contains(&v) {
        write!(out, "{v:E}")
    } else if v.trunc() == v {
        write!(out, "{v}.0")
    } else {
        write!(out, "{v}")
    };
}

fn timestamp<'a>(a: &'a dyn Array, unit: &TimeUnit) -> Render<'a> {
    const MILLIS: &str = "%Y-%m-%d %H:%M:%S%.3f %:z";
    match unit {
        TimeUnit::Second => stamp::<TimestampSecondType>(a, 1_000_000_000, MILLIS),
        TimeUnit::Millisecond => stamp::<TimestampMillisecondType>(a, 1_000_000, MILLIS),
        TimeUnit::Microsecond => {
            stamp::<TimestampMicrosecondType>(a, 1_000, "%Y-%m-%d %H:%M:%S%.6f %:z")
        }
        // Nanoseconds come from INT96 (Hive and Spark's old timestamps), which the record
        // reader showed to the millisecond, and from INT64 TIMESTAMP(NANOS), which it
        // showed as a bare number: both are written to the millisecond now.
        TimeUnit::Nanosecond => stamp::<TimestampNanosecondType>(a, 1, MILLIS),
    }
}

/// Timestamps of `ns` nanoseconds per unit, in `format`.
fn stamp<'a, T: ArrowPrimitiveType<Native = i64>>(
    a: &'a dyn Array,
    ns: i128,
    format: &'static str,
) -> Render<'a> {
    let a = a.as_primitive::<T>();
    Box::new(move |i, out| date_time(i128::from(a.value(i)) * ns, format, out))
}

/// Nanoseconds since the epoch, in UTC, in `format`; nothing when out of jiff's range
/// (years -9999..=9999): a date no one was born on.
fn date_time(ns: i128, format: &str, out: &mut String) {
    if let Ok(t) = jiff::Timestamp::from_nanosecond(ns) {
        let _ = write!(
            out,
            "{}",
            t.to_zoned(jiff::tz::TimeZone::UTC).strftime(format)
        );
    }
}

/// A time of day in `per_second` units since midnight, as `HH:MM:SS.fff…` with as many
/// fraction digits as the unit has.
fn time_of_day(v: i64, per_second: i64, out: &mut String) {
    let v = v.unsigned_abs();
    let per = per_second.unsigned_abs();
    let secs = v / per;
    let digits = per.ilog10() as usize;
    let _ = write!(
        out,
        "{:02}:{:02}:{:02}.{:0digits$}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60,
        v % per
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{ArrayRef, Date32Array, Float64Array, Int64Array};
    use std::sync::Arc;

    fn all(a: ArrayRef) -> Vec<String> {
        let r = renderer(a.as_ref()).unwrap();
        (0..a.len())
            .map(|i| {
                let mut s = String::new();
                r(i, &mut s);
                s
            })
            .collect()
    }

    #[test]
    fn values_are_written_as_the_record_reader_wrote_them() {
        let longs = Int64Array::from(vec![13812345678, -5]);
        assert_eq!(all(Arc::new(longs)), ["13812345678", "-5"]);
        let doubles = Float64Array::from(vec![13812345678.0, 1.5, 0.0, -2.0]);
        assert_eq!(
            all(Arc::new(doubles)),
            ["13812345678.0", "1.5", "0E0", "-2E0"]
        );
        let dates = Date32Array::from(vec![0, 7305]);
        assert_eq!(all(Arc::new(dates)), ["1970-01-01", "1990-01-01"]);
        let ts = arrow_array::TimestampMillisecondArray::from(vec![1_700_000_000_123]);
        assert_eq!(all(Arc::new(ts)), ["2023-11-14 22:13:20.123 +00:00"]);
        let ts = arrow_array::TimestampMicrosecondArray::from(vec![1_700_000_000_123_456]);
        assert_eq!(all(Arc::new(ts)), ["2023-11-14 22:13:20.123456 +00:00"]);
        let t = arrow_array::Time32MillisecondArray::from(vec![3_723_004]);
        assert_eq!(all(Arc::new(t)), ["01:02:03.004"]);
        let d = arrow_array::Decimal128Array::from(vec![13812345678, 5])
            .with_precision_and_scale(12, 0)
            .unwrap();
        assert_eq!(all(Arc::new(d)), ["13812345678", "5"]);
    }

    #[test]
    fn a_date_out_of_range_is_no_text() {
        let dates = Date32Array::from(vec![i32::MAX]);
        assert_eq!(all(Arc::new(dates)), [""]);
    }
}
