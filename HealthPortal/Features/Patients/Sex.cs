namespace HealthPortal.Features.Patients;

public enum Sex
{
    Female,
    Male,
    Other,
}
