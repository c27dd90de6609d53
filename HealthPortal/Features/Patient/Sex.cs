namespace HealthPortal.Features.Patient;

public enum Sex
{
    Female,
    Male,
    Other,
}
