// Original file: proto/agent.proto


export interface StatusRequest {
}

export interface StatusRequest__Output {
}
