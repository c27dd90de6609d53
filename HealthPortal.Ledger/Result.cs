namespace HealthPortal.Ledger;

/// <summary>A value or a refusal with a code; expected failures travel as values, never as exceptions.</summary>
public readonly record struct Result<T>(T? Value, LedgerError Error, string? Message)
{
    public bool IsSuccess => Error == LedgerError.None;
    public static Result<T> Ok(T value) => new(value, LedgerError.None, null);
    public static Result<T> Fail(LedgerError error, string message) => new(default, error, message);
    public static Result<T> Fail(Validation v) => new(default, v.Error, v.Message);
    public Validation ToValidation() => new(Error, Message);
    public T ValueOrThrow() => IsSuccess ? Value! : throw new InvalidOperationException($"{Error}: {Message}");
}
