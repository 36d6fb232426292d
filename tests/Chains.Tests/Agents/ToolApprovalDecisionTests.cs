using Chains.Agents;

namespace Chains.Tests.Agents;

public sealed class ToolApprovalDecisionTests
{
    [Fact]
    public void Approve_SharedApprovedDecision()
    {
        Assert.Equal(ToolApprovalKind.Approved, ToolApprovalDecision.Approve().Kind);
        Assert.Same(ToolApprovalDecision.Approve(), ToolApprovalDecision.Approve());
    }

    [Fact]
    public void Reject_KeepsReason()
    {
        var decision = ToolApprovalDecision.Reject("budget");

        Assert.Equal(ToolApprovalKind.Rejected, decision.Kind);
        Assert.Equal("budget", decision.Reason);
        Assert.Equal("Rejected: budget", decision.ToString());
    }

    [Fact]
    public void Edit_CopiesArguments()
    {
        var arguments = new Dictionary<string, object?> { ["a"] = 1 };

        var decision = ToolApprovalDecision.Edit(arguments);
        arguments["a"] = 2;

        Assert.Equal(ToolApprovalKind.Edited, decision.Kind);
        Assert.Equal(1, decision.Arguments!["a"]);
    }

    [Fact]
    public void Edit_Null_Throws()
        => Assert.Throws<ArgumentNullException>(() => ToolApprovalDecision.Edit(null!));
}
