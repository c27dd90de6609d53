using Bunit;
using HealthPortal.Features.Times;
using HealthPortal.Tests.Support;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;

namespace HealthPortal.Tests.Features.Times;

public sealed class DateFieldTests : PortalComponentTest
{
    private DateTime? _date;
    private readonly UnreadDates _unread = new();

    private IRenderedComponent<BoundDateField> RenderField(DateTime? date = null)
    {
        _date = date;
        return Render<BoundDateField>(p => p
            .Add(x => x.Initial, date)
            .Add(x => x.Changed, d => _date = d)
            .Add(x => x.Unread, _unread));
    }

    /// <summary>A page's <c>@bind-Date</c>: the new date goes back into the field, as on a real form.</summary>
    private sealed class BoundDateField : ComponentBase
    {
        [Parameter] public DateTime? Initial { get; set; }
        [Parameter] public Action<DateTime?> Changed { get; set; } = _ => { };
        [Parameter] public UnreadDates? Unread { get; set; }

        private DateTime? _value;

        protected override void OnInitialized() => _value = Initial;

        protected override void BuildRenderTree(RenderTreeBuilder builder)
        {
            builder.OpenComponent<DateField>(0);
            builder.AddComponentParameter(1, nameof(DateField.Date), _value);
            builder.AddComponentParameter(2, nameof(DateField.DateChanged), EventCallback.Factory.Create<DateTime?>(this, d => { _value = d; Changed(d); }));
            builder.AddComponentParameter(3, nameof(DateField.Label), "Follow-up date");
            builder.AddComponentParameter(4, nameof(DateField.Unread), Unread);
            builder.AddComponentParameter(5, nameof(DateField.Field), "FollowUpOn");
            builder.AddComponentParameter(6, "data-testid", "follow-up");
            builder.CloseComponent();
        }
    }

    [Fact]
    public void ShowsTheDateDayFirst()
    {
        var field = RenderField(new DateTime(2026, 4, 3));

        Assert.Equal("03/04/2026", field.Find("input").GetAttribute("value"));
        Assert.Equal("dd/mm/yyyy", field.Find("input").GetAttribute("placeholder"));
    }

    [Fact]
    public void TypedDayFirst_IsReadDayFirst()
    {
        var field = RenderField();

        field.Find("input").Change("03/04/2026");

        field.WaitForAssertion(() => Assert.Equal(new DateTime(2026, 4, 3), _date));
        Assert.False(_unread.Any);
    }

    [Fact]
    public void ImpossibleDate_ShowsWhyUnderTheField_KeepsTheText_AndIsReportedUnread()
    {
        var field = RenderField();

        field.Find("input").Change("31/02/2020");

        field.WaitForAssertion(() => Assert.Contains("February 2020 has 29 days", field.Markup));
        Assert.Null(_date);
        Assert.Equal("31/02/2020", field.Find("input").GetAttribute("value"));
        Assert.True(_unread.Any);
        Assert.Equal("Follow-up date: \"31/02/2020\" is not a date: February 2020 has 29 days.", _unread.Summary);
    }

    [Fact]
    public void MonthFirstDate_IsRefused_NotTurnedRound()
    {
        var field = RenderField();

        field.Find("input").Change("12/31/2026");

        field.WaitForAssertion(() => Assert.Contains("there is no month 31", field.Markup));
        Assert.Null(_date);
    }

    [Fact]
    public void ARightDateAfterAWrongOne_ClearsTheProblem()
    {
        var field = RenderField();
        field.Find("input").Change("31/02/2020");
        field.WaitForAssertion(() => Assert.True(_unread.Any));

        field.Find("input").Change("29/02/2020");

        field.WaitForAssertion(() => Assert.Equal(new DateTime(2020, 2, 29), _date));
        Assert.False(_unread.Any);
        Assert.DoesNotContain("is not a date", field.Markup);
    }

    [Fact]
    public void ATypedDate_StaysWhenTheFieldRendersAgainBeforeThePageHasTakenIt()
    {
        // A page that has not yet passed the new date back (Date stays the old value): the field keeps what was typed.
        var changes = new List<DateTime?>();
        var field = Render<DateField>(p => p
            .Add(x => x.Date, (DateTime?)new DateTime(2026, 11, 24))
            .Add(x => x.DateChanged, d => changes.Add(d)));

        field.Find("input").Change("26/11/2026");

        Assert.Equal([new DateTime(2026, 11, 26)], changes);
        Assert.Equal("26/11/2026", field.Find("input").GetAttribute("value"));
    }
}
