namespace HealthPortal.Features.Outcomes;

/// <summary>
/// The app's one outcome type: a value, or a refusal with a code from the feature's own error enum and the sentence
/// the page shows. Expected failures travel as this, never as exceptions; tests assert the code, pages show the message.
/// Depends on nothing, so every capability folder may use it (like the ledger's own <c>Result&lt;T&gt;</c>).
/// </summary>
/// <remarks>
/// A method returning <c>Result&lt;T, TError&gt;</c> can <c>return value;</c> or <c>return Result.Fail(code, "…");</c>
/// (both convert implicitly). The enum's zero value is never a failure code.
/// </remarks>
public sealed record Result<T, TError> where TError : struct, Enum
{
    private Result(bool isOk, T? value, TError error, string? message) => (IsOk, Value, Error, Message) = (isOk, value, error, message);

    public bool IsOk { get; }

    /// <summary>The value when <see cref="IsOk"/>; default otherwise.</summary>
    public T? Value { get; }

    /// <summary>Why it failed; the enum's default when <see cref="IsOk"/>.</summary>
    public TError Error { get; }

    /// <summary>The human sentence for the failure (what the page shows); null when <see cref="IsOk"/>.</summary>
    public string? Message { get; }

    public static Result<T, TError> Ok(T value) => new(true, value, default, null);

    public static Result<T, TError> Fail(TError error, string message)
    {
        if (EqualityComparer<TError>.Default.Equals(error, default)) throw new ArgumentException("a failure needs a code other than the enum's default", nameof(error));
        return new(false, default, error, message);
    }

    public TOut Match<TOut>(Func<T, TOut> ok, Func<TError, string, TOut> fail) => IsOk ? ok(Value!) : fail(Error, Message!);

    public static implicit operator Result<T, TError>(T value) => Ok(value);

    public static implicit operator Result<T, TError>(Failure<TError> failure) => Fail(failure.Error, failure.Message);

    public override string ToString() => IsOk ? $"Ok({Value})" : $"{Error}: {Message}";
}

/// <summary>A failure not yet bound to a value type; converts to any <see cref="Result{T, TError}"/> of the same error enum.</summary>
public readonly record struct Failure<TError>(TError Error, string Message) where TError : struct, Enum;

/// <summary>Spelling helpers: <c>Result.Fail(KeyError.Expired, "…")</c>.</summary>
public static class Result
{
    public static Failure<TError> Fail<TError>(TError error, string message) where TError : struct, Enum => new(error, message);
}
