/** Jest setupFilesAfterEnv for integration tests: adds the aws-sdk-client-mock matchers to expect. */
import 'aws-sdk-client-mock-jest';
