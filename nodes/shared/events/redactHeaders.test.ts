import { redactHeaders } from './redactHeaders';

describe('redactHeaders', () => {
	it('hides credential headers and the configured auth header, keeps the rest', () => {
		expect(
			redactHeaders(
				{ authorization: 'Basic eDp5', 'x-api-key': 'k', cookie: 'c', 'x-signature': 'ab', 'x-real-ip': '1.2.3.4', skip: undefined },
				['X-Api-Key'],
			),
		).toEqual({
			authorization: '[redacted]',
			'x-api-key': '[redacted]',
			cookie: '[redacted]',
			'x-signature': 'ab',
			'x-real-ip': '1.2.3.4',
		});
	});
});
