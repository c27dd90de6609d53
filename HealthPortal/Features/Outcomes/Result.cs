namespace HealthPortal.Features.Outcomes;

/// <summary>
/// The app's one outcome type: a value, or a refusal with a code from the feature's own error enum and the sentence
/// the page shows. Expected failures travel as this, never as exceptions; tests assert the code, pages show the message.
/// Depends on nothing, so every capability folder may use it (like the ledger's own <c>Result&lt;T&gt;</c>).
/// </summary>
/// <remarks>
/// A method returning <c>Result&lt;T, TError&gt;</c> can <c>return value;</c> or <c>return Result.Fail(code, "…");</c>
/// (both convert implicitly). The enum's zero value is never a failure code. A refusal of a form names its fields
/// (<see cref="Fields"/>, built with <see cref="Result.Invalid{TError}"/>), so the page can show each message beside
/// its field while the code says what kind of refusal it was.
/// </remarks>
public sealed record Result<T, TError> where TError : struct, Enum
{
    private Result(bool isOk, T? value, TError error, string? message, IReadOnlyList<FieldError> fields) =>
        (IsOk, Value, Error, Message, Fields) = (isOk, value, error, message, fields);

    public bool IsOk { get; }

    /// <summary>The value when <see cref="IsOk"/>; default otherwise.</summary>
    public T? Value { get; }

    /// <summary>Why it failed; the enum's default when <see cref="IsOk"/>.</summary>
    public TError Error { get; }

    /// <summary>The human sentence for the failure (what the page shows); null when <see cref="IsOk"/>.</summary>
    public string? Message { get; }

    /// <summary>The fields a refused form got wrong, in input order; empty when the refusal is not about fields (or it is ok).</summary>
    public IReadOnlyList<FieldError> Fields { get; }

    /// <summary>The first message for <paramref name="field"/>, or null when that field is fine.</summary>
    public string? FieldMessage(string field) => Fields.FirstOrDefault(f => f.Field == field)?.Message;

    public static Result<T, TError> Ok(T value) => new(true, value, default, null, []);

    public static Result<T, TError> Fail(TError error, string message, IReadOnlyList<FieldError>? fields = null)
    {
        if (EqualityComparer<TError>.Default.Equals(error, default)) throw new ArgumentException("a failure needs a code other than the enum's default", nameof(error));
        ArgumentNullException.ThrowIfNull(message);
        return new(false, default, error, message, fields ?? []);
    }

    public TOut Match<TOut>(Func<T, TOut> ok, Func<TError, string, TOut> fail) => IsOk ? ok(Value!) : fail(Error, Message!);

    public static implicit operator Result<T, TError>(T value) => Ok(value);

    public static implicit operator Result<T, TError>(Failure<TError> failure) => Fail(failure.Error, failure.Message, failure.Fields);

    public override string ToString() => IsOk ? $"Ok({Value})"
        : Fields.Count == 0 ? $"{Error}: {Message}"
        : $"{Error}: {string.Join("; ", Fields.Select(f => $"{f.Field}: {f.Message}"))}";
}

/// <summary>One field of a form and what is wrong with it; <see cref="Field"/> is the input's path ("Name", "Diagnoses[1].Icd10").</summary>
public sealed record FieldError(string Field, string Message);

/// <summary>A failure not yet bound to a value type; converts to any <see cref="Result{T, TError}"/> of the same error enum.</summary>
public readonly record struct Failure<TError>(TError Error, string Message, IReadOnlyList<FieldError>? Fields = null) where TError : struct, Enum;

/// <summary>Spelling helpers: <c>Result.Fail(KeyError.Expired, "…")</c>, <c>Result.Invalid(EhrError.Invalid, fields)</c>.</summary>
public static class Result
{
    public static Failure<TError> Fail<TError>(TError error, string message) where TError : struct, Enum => new(error, message);

    /// <summary>A refusal about one field: its message is also the failure's sentence.</summary>
    public static Failure<TError> Invalid<TError>(TError error, string field, string message) where TError : struct, Enum =>
        new(error, message, [new FieldError(field, message)]);

    /// <summary>A refused form: the sentence is the fields' messages, each once, in order.</summary>
    public static Failure<TError> Invalid<TError>(TError error, IReadOnlyList<FieldError> fields) where TError : struct, Enum
    {
        if (fields.Count == 0) throw new ArgumentException("an invalid form names at least one field", nameof(fields));
        return new(error, string.Join(" ", fields.Select(f => f.Message).Distinct()), fields);
    }
}
