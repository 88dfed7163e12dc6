using PushApi.Cli;

return await PushApiCommand.RunAsync(args);
